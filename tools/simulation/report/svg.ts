/** Inline SVG charts for the offline report: no script, no external asset, plain markup. */

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export interface LineSeries {
  label: string;
  values: readonly number[];
  color: string;
  /** area: filled to the axis; step: held until the next point; line: straight segments. */
  shape: 'area' | 'step' | 'line';
  dashed?: boolean;
}

export interface LineChartOptions {
  title: string;
  width: number;
  height: number;
  yMax: number;
  /** Points per day, for the day ticks. */
  pointsPerDay: number;
  /** What the y axis counts, printed above it (the x axis is in days). */
  yUnit?: string;
  /** x axis unit (default days, ticked per day). */
  xUnit?: 'days' | 'hours';
  /** Points to mark below the plot (overloaded ones), drawn as red ticks. */
  marks?: readonly boolean[];
  series: readonly LineSeries[];
}

/** Overloaded points: a colour no series uses. */
export const OVERLOAD_MARK_COLOR = '#d93025';

const MARGIN = { left: 34, right: 8, top: 20, bottom: 18 };

export function lineChart(options: LineChartOptions): string {
  const { width, height, yMax, series, pointsPerDay } = options;
  const plot = { width: width - MARGIN.left - MARGIN.right, height: height - MARGIN.top - MARGIN.bottom };
  const points = Math.max(1, ...series.map((one) => one.values.length));
  const x = (index: number) => MARGIN.left + (points <= 1 ? 0 : (index / (points - 1)) * plot.width);
  const y = (value: number) => MARGIN.top + plot.height - (Math.min(value, yMax) / yMax) * plot.height;
  const xUnit = options.xUnit ?? 'days';
  const grid = [
    ...yTicks(yMax).map((tick) => horizontalTick(tick, y(tick), width)),
    ...dayTicks(points, pointsPerDay).map((day) => verticalTick(day, x(day * pointsPerDay), height, xUnit)),
  ];
  const drawn = series.map((one) => path(one, x, y));
  const marks = (options.marks ?? []).flatMap((marked, index) =>
    marked
      ? [
          `<rect x="${round(x(index) - 0.6)}" y="${round(MARGIN.top + plot.height - 5)}" width="1.8" height="5" fill="${OVERLOAD_MARK_COLOR}"/>`,
        ]
      : [],
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(options.title)}">`,
    `<text x="${MARGIN.left}" y="13" class="chart-title">${escapeXml(options.title)}</text>`,
    ...(options.yUnit
      ? [
          `<text x="${width - MARGIN.right}" y="13" class="tick" text-anchor="end">y: ${escapeXml(options.yUnit)}, x: ${xUnit}</text>`,
        ]
      : []),
    ...grid,
    ...drawn,
    ...(marks.length > 0
      ? [`<g><title>overloaded (load above the effective capacity)</title>${marks.join('')}</g>`]
      : []),
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plot.width}" height="${plot.height}" fill="none" stroke="#c4c7c5"/>`,
    '</svg>',
  ].join('');
}

function path(series: LineSeries, x: (index: number) => number, y: (value: number) => number): string {
  const { values, color, shape } = series;
  if (values.length === 0) return '';
  const at = (index: number) => `${round(x(index))},${round(y(values[index] ?? 0))}`;
  let d = `M${at(0)}`;
  for (let index = 1; index < values.length; index += 1) {
    d += shape === 'step' ? `H${round(x(index))}V${round(y(values[index] ?? 0))}` : `L${at(index)}`;
  }
  const dash = series.dashed ? ' stroke-dasharray="4 3"' : '';
  if (shape === 'area') {
    const base = round(y(0));
    return `<path d="${d}L${round(x(values.length - 1))},${base}L${round(x(0))},${base}Z" fill="${color}" fill-opacity="0.35" stroke="${color}" stroke-width="0.8"><title>${escapeXml(series.label)}</title></path>`;
  }
  return `<path d="${d}" fill="none" stroke="${color}" stroke-width="1.4"${dash}><title>${escapeXml(series.label)}</title></path>`;
}

function yTicks(yMax: number): number[] {
  const step = niceStep(yMax / 4);
  const ticks: number[] = [];
  for (let tick = 0; tick <= yMax + 1e-9; tick += step) ticks.push(tick);
  return ticks;
}

function niceStep(raw: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-9)));
  const normalized = raw / magnitude;
  return (normalized <= 1 ? 1 : normalized <= 2 ? 2 : normalized <= 5 ? 5 : 10) * magnitude;
}

function dayTicks(points: number, pointsPerDay: number): number[] {
  const days = Math.floor((points - 1) / pointsPerDay);
  return Array.from({ length: days + 1 }, (_, day) => day);
}

function horizontalTick(value: number, y: number, width: number): string {
  return `<line x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${round(y)}" y2="${round(y)}" stroke="#eceff1"/><text x="${MARGIN.left - 4}" y="${round(y + 3)}" class="tick" text-anchor="end">${formatNumber(value)}</text>`;
}

function verticalTick(day: number, x: number, height: number, unit: 'days' | 'hours'): string {
  const label =
    day % 2 === 0
      ? `<text x="${round(x)}" y="${height - 5}" class="tick" text-anchor="middle">${unit === 'days' ? `d${day}` : `${day} h`}</text>`
      : '';
  return `<line x1="${round(x)}" x2="${round(x)}" y1="${MARGIN.top}" y2="${height - MARGIN.bottom}" stroke="#f1f3f4"/>${label}`;
}

export interface Bar {
  label: string;
  value: number;
  color: string;
}

export function barChart(options: { title: string; unit: string; bars: readonly Bar[]; width: number }): string {
  const { bars, width } = options;
  const rowHeight = 18;
  const labelWidth = 170;
  const height = 22 + bars.length * rowHeight;
  const max = Math.max(1e-9, ...bars.map((bar) => bar.value));
  const usable = width - labelWidth - 70;
  const rows = bars.map((bar, index) => {
    const top = 20 + index * rowHeight;
    const length = Math.max(bar.value > 0 ? 1 : 0, (bar.value / max) * usable);
    return [
      `<text x="${labelWidth - 6}" y="${top + 12}" class="bar-label" text-anchor="end">${escapeXml(bar.label)}</text>`,
      `<rect x="${labelWidth}" y="${top + 2}" width="${round(length)}" height="${rowHeight - 5}" fill="${bar.color}"><title>${escapeXml(`${bar.label}: ${formatNumber(bar.value)} ${options.unit}`)}</title></rect>`,
      `<text x="${round(labelWidth + length + 4)}" y="${top + 12}" class="bar-value">${formatNumber(bar.value)}</text>`,
    ].join('');
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(options.title)}"><text x="0" y="13" class="chart-title">${escapeXml(options.title)} (${escapeXml(options.unit)})</text>${rows.join('')}</svg>`;
}

/** The one number format of the report: thousands separated, one decimal below 100 unless whole. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100 || Number.isInteger(value)) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(1);
}

function round(value: number): string {
  return (Math.round(value * 10) / 10).toString();
}
