// Line charts as inline SVG (no chart library): one or more series over the
// same hours, with the numbers also in a table for screen readers.
import { hourLabel, niceMax, polyline } from '../format';

export interface Series {
  label: string;
  values: number[];
  kind: string; // CSS class suffix: the colour
}

const width = 600;
const height = 160;

export function LineChart(props: { title: string; hours: number[]; series: Series[] }) {
  const max = niceMax(Math.max(0, ...props.series.flatMap((s) => s.values)));
  const total = (s: Series) => s.values.reduce((a, b) => a + b, 0);
  const summary = props.series.map((s) => `${s.label} ${total(s)}`).join(', ');
  const n = props.hours.length;
  return (
    <figure class="chart">
      <figcaption>
        <span class="chart-title">{props.title}</span>
        <span class="legend">
          {props.series.map((s) => (
            <span class={`key key-${s.kind}`}>
              {s.label}: {total(s)}
            </span>
          ))}
        </span>
      </figcaption>
      <svg
        viewBox={`-40 -10 ${width + 50} ${height + 30}`}
        role="img"
        aria-label={`${props.title} over ${n} hours: ${summary}`}
        preserveAspectRatio="none"
      >
        <line class="axis" x1="0" y1={height} x2={width} y2={height} />
        <line class="gridline" x1="0" y1={height / 2} x2={width} y2={height / 2} />
        <line class="gridline" x1="0" y1="0" x2={width} y2="0" />
        <text class="tick" x="-6" y={height} text-anchor="end">0</text>
        <text class="tick" x="-6" y="4" text-anchor="end">{max}</text>
        {n > 0 && (
          <text class="tick" x="0" y={height + 16}>
            {hourLabel(props.hours[0])}
          </text>
        )}
        {n > 1 && (
          <text class="tick" x={width} y={height + 16} text-anchor="end">
            {hourLabel(props.hours[n - 1])}
          </text>
        )}
        {props.series.map((s) => (
          <polyline class={`line line-${s.kind}`} points={polyline(s.values, max, width, height)} />
        ))}
      </svg>
      <details>
        <summary>Show the numbers</summary>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Hour</th>
                {props.series.map((s) => (
                  <th scope="col">{s.label}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {props.hours.map((h, i) => (
                <tr>
                  <th scope="row">{hourLabel(h)}</th>
                  {props.series.map((s) => (
                    <td>{s.values[i]}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
