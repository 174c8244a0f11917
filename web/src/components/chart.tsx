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
      <div class="plot">
        <span class="y-max" aria-hidden="true">{max}</span>
        <svg
          viewBox={`0 0 ${width} ${height}`}
          role="img"
          aria-label={`${props.title} over ${n} hours: ${summary}`}
          preserveAspectRatio="none"
        >
          <line class="gridline" x1="0" y1="0" x2={width} y2="0" />
          <line class="gridline" x1="0" y1={height / 2} x2={width} y2={height / 2} />
          <line class="axis" x1="0" y1={height} x2={width} y2={height} />
          {props.series.map((s) => (
            <polyline class={`line line-${s.kind}`} points={polyline(s.values, max, width, height)} />
          ))}
        </svg>
        {n > 0 && (
          <div class="x-labels" aria-hidden="true">
            <span>{hourLabel(props.hours[0])}</span>
            <span>{hourLabel(props.hours[n - 1])}</span>
          </div>
        )}
      </div>
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
