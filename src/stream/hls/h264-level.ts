/**
 * The H.264 level a stream needs, from Table A-1 of the spec: the smallest level whose frame size
 * (macroblocks per frame, and per side) and macroblock rate allow width×height at the frame rate.
 * Bit rate is not checked: our encodes are capped well below every level's limit from 3.0 up.
 */

/** [level_idc, MaxFS (MBs per frame), MaxMBPS (MBs per second)] */
const LEVELS: ReadonlyArray<readonly [number, number, number]> = [
  [10, 99, 1485],
  [11, 396, 3000],
  [12, 396, 6000],
  [13, 396, 11880],
  [20, 396, 11880],
  [21, 792, 19800],
  [22, 1620, 20250],
  [30, 1620, 40500],
  [31, 3600, 108000],
  [32, 5120, 216000],
  [40, 8192, 245760],
  [42, 8704, 522240],
  [50, 22080, 589824],
  [51, 36864, 983040],
  [52, 36864, 2073600],
  [60, 139264, 4177920],
  [61, 139264, 8355840],
  [62, 139264, 16711680],
];

/** Never below 3.0: older decoders handle it, and tiny test files should not get exotic levels. */
const FLOOR = 30;

/** level_idc (e.g. 40 for 4.0) for width×height at fps; unknown fps counts as 30. */
export function h264Level(width: number, height: number, fps = 30): number {
  const mbW = Math.ceil(width / 16);
  const mbH = Math.ceil(height / 16);
  const fs = mbW * mbH;
  const rate = fs * (fps > 0 ? fps : 30);
  for (const [idc, maxFs, maxMbps] of LEVELS) {
    if (idc < FLOOR) continue;
    // A side may not exceed sqrt(8·MaxFS) macroblocks (A.3.1 h/i).
    const side = Math.sqrt(8 * maxFs);
    if (fs <= maxFs && mbW <= side && mbH <= side && rate <= maxMbps) return idc;
  }
  return 62;
}

/** "4.0" style, as libx264's -level option takes it. */
export function levelName(idc: number): string {
  return (idc / 10).toFixed(1);
}
