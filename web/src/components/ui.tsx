// Small shared pieces: links, labelled fields, the error region, the pager.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { ApiError } from '../api';
import { pageInfo } from '../format';
import { href, onLinkClick } from '../router';

export function Link(props: { to: string; children: ComponentChildren; class?: string; current?: boolean }) {
  return (
    <a
      href={href(props.to)}
      class={props.class}
      aria-current={props.current ? 'page' : undefined}
      onClick={(e) => onLinkClick(e as MouseEvent, props.to)}
    >
      {props.children}
    </a>
  );
}

// The page title takes focus on navigation so screen readers announce it.
export function PageTitle(props: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <h1 tabIndex={-1} ref={ref}>
      {props.children}
    </h1>
  );
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  return 'Something went wrong.';
}

// Errors are announced (aria-live) and stay until the next attempt.
export function ErrorMessage(props: { error: unknown }) {
  return (
    <p class="error" role="alert" aria-live="assertive">
      {props.error ? errorText(props.error) : ''}
    </p>
  );
}

export function Notice(props: { text: string }) {
  return (
    <p class="notice" role="status" aria-live="polite">
      {props.text}
    </p>
  );
}

let nextId = 0;
export function useId(prefix: string): string {
  const ref = useRef('');
  if (!ref.current) ref.current = `${prefix}-${++nextId}`;
  return ref.current;
}

export function Field(props: {
  label: string;
  value: string;
  onInput: (v: string) => void;
  type?: string;
  name?: string;
  required?: boolean;
  autocomplete?: string;
  hint?: string;
  invalid?: boolean;
  inputmode?: string;
}) {
  const id = useId('f');
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value}
        required={props.required}
        autocomplete={props.autocomplete}
        inputMode={props.inputmode as never}
        aria-invalid={props.invalid ? 'true' : undefined}
        aria-describedby={props.hint ? `${id}-hint` : undefined}
        onInput={(e) => props.onInput((e.currentTarget as HTMLInputElement).value)}
      />
      {props.hint && (
        <small id={`${id}-hint`} class="hint">
          {props.hint}
        </small>
      )}
    </div>
  );
}

export function SearchBox(props: { label: string; value: string; onInput: (v: string) => void }) {
  const id = useId('search');
  return (
    <div class="field search" role="search">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        type="search"
        value={props.value}
        onInput={(e) => props.onInput((e.currentTarget as HTMLInputElement).value)}
      />
    </div>
  );
}

export function Pager(props: {
  offset: number;
  limit: number;
  count: number;
  total: number;
  onChange: (offset: number) => void;
}) {
  const p = pageInfo(props.offset, props.count, props.total);
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" disabled={!p.hasPrev} onClick={() => props.onChange(Math.max(0, props.offset - props.limit))}>
        Previous
      </button>
      <span aria-live="polite">
        {p.from}–{p.to} of {props.total}
      </span>
      <button type="button" disabled={!p.hasNext} onClick={() => props.onChange(props.offset + props.limit)}>
        Next
      </button>
    </nav>
  );
}
