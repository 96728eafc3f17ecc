/** The play-position routes' schemas (route-schemas.ts holds the others, schema-answers.ts the shared answer shapes). */
import { Position } from './api-schemas.js';
import { denied, error, unknownFile } from './schema-answers.js';
import { FileParams, PositionBody } from './schemas.js';

const stopped = error('The torrent stopped (e.g. the disk is full)');

export const getPositionRoute = {
  summary: 'Where playback of a file last stopped',
  description:
    'Kept across restarts (a local file’s for as long as the server runs). `{ "seconds": 0 }` without ' +
    '`updatedAt` when the file was never played. Waits for the torrent’s metadata like the other file routes.',
  tags: ['torrents'],
  params: FileParams,
  response: {
    200: { ...Position, description: 'The position' },
    400: error('A parameter failed validation'),
    ...denied,
    404: unknownFile,
    503: stopped,
  },
};

export const putPositionRoute = {
  summary: 'Save where playback of a file is',
  description:
    'Players send it every few seconds, on pause and on leaving. `seconds` must be a finite number from 0 to ' +
    'the file’s duration when the server probed it (a second past it is taken as the end), else to 86400. ' +
    'Written to disk within seconds, not on every call; removing the torrent removes its positions.',
  tags: ['torrents'],
  params: FileParams,
  body: PositionBody,
  response: {
    200: { ...Position, description: 'The position as saved' },
    400: error('`seconds` is missing, not a finite number, negative, or past the file’s end'),
    ...denied,
    404: unknownFile,
    503: stopped,
  },
};
