import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mainMediaFile, mediaFiles } from '../../src/catalog/main-file.js';

const file = (path: string, length = 100) => ({ name: path.split('/').pop()!, path, length });

test('a torrent with video plays its largest video, even next to music', () => {
  const files = [file('ost/01.flac', 900), file('sample.mkv', 10), file('Movie.mkv', 500), file('info.nfo')];
  assert.equal(mainMediaFile(files)?.path, 'Movie.mkv');
});

test('a torrent of music plays its first track by path, not its largest', () => {
  const files = [
    file('Album/10 - Ten.flac', 900),
    file('Album/cover.jpg', 50),
    file('Album/2 - Two.flac', 400),
    file('Album/1 - One.mp3', 300),
  ];
  assert.equal(mainMediaFile(files)?.path, 'Album/1 - One.mp3');
  assert.equal(mainMediaFile([file('a.flac')])?.path, 'a.flac');
  assert.equal(mainMediaFile([file('readme.txt'), file('cover.png')]), undefined);
});

test('the playlist order: videos as the torrent lists them, then audio in track order', () => {
  const files = [
    file('b/3.mp3'),
    file('x.mkv'),
    file('b/1.mp3'),
    file('a.srt'),
    file('w.avi'),
    file('b/2.flac'),
  ];
  assert.deepEqual(
    mediaFiles(files).map((f) => f.path),
    ['x.mkv', 'w.avi', 'b/1.mp3', 'b/2.flac', 'b/3.mp3'],
  );
});
