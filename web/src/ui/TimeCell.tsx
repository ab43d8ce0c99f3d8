import { formatDateTime, formatTime } from '../lib/time.ts';

/** A table's "Time" cell: the time of day, with the full date and seconds on hover. */
export function TimeCell(props: { at: string }) {
  return (
    <td data-label="Time">
      <time datetime={props.at} title={formatDateTime(props.at, { seconds: true })}>
        {formatTime(props.at)}
      </time>
    </td>
  );
}
