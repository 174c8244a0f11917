import { useState } from 'preact/hooks';
import { api, enc, type Alias, type Page } from '../api';
import { ErrorMessage, Field, Notice, Pager, PageTitle, SearchBox, useId } from '../components/ui';
import { query, splitList } from '../format';
import { useAction, useSearchedList } from '../hooks';

const limit = 25;

export function Aliases() {
  const { q, setQuery, search, offset, setOffset, list } = useSearchedList((q, offset) =>
    api.get<Page<Alias>>(`aliases${query({ q, offset, limit })}`),
  );
  const [alias, setAlias] = useState('');
  const [targets, setTargets] = useState('');
  const { error, notice, run } = useAction();
  const [editing, setEditing] = useState<Alias | null>(null);
  const targetsId = useId('targets');

  async function save(e: Event) {
    e.preventDefault();
    const name = alias.trim();
    const saved = await run(async () => {
      // The API has no "replace targets": an edit removes the alias and adds
      // it again with the new list.
      if (editing && editing.alias === name) await api.del(`aliases/${enc(name)}`);
      await api.post('aliases', { alias: name, targets: splitList(targets) });
      return `Alias ${name} saved.`;
    });
    if (saved) {
      setAlias('');
      setTargets('');
      setEditing(null);
    }
    list.reload(); // after a failure too: the delete may have gone through
  }

  async function remove(a: Alias) {
    if (!confirm(`Delete the alias ${a.alias}?`)) return;
    await run(async () => {
      await api.del(`aliases/${enc(a.alias)}`);
      list.reload();
      return `Alias ${a.alias} deleted.`;
    });
  }

  function edit(a: Alias) {
    setEditing(a);
    setAlias(a.alias);
    setTargets(a.targets.join('\n'));
    document.getElementById(targetsId)?.focus();
  }

  function cancel() {
    setEditing(null);
    setAlias('');
    setTargets('');
  }

  return (
    <>
      <PageTitle>Aliases</PageTitle>
      <form class="card" onSubmit={save} aria-label={editing ? `Edit ${editing.alias}` : 'New alias'}>
        <h2>{editing ? `Edit ${editing.alias}` : 'New alias'}</h2>
        <div class="grid">
          <Field label="Alias" name="alias" value={alias} onInput={setAlias} required hint="An address or @domain for a catch-all" />
          <div class="field">
            <label for={targetsId}>Targets</label>
            <textarea
              id={targetsId}
              name="targets"
              rows={3}
              required
              value={targets}
              aria-describedby={`${targetsId}-hint`}
              onInput={(e) => setTargets((e.currentTarget as HTMLTextAreaElement).value)}
            />
            <small id={`${targetsId}-hint`} class="hint">
              One address per line
            </small>
          </div>
        </div>
        <div class="buttons">
          <button type="submit" class="primary">
            Save alias
          </button>
          {editing && (
            <button type="button" onClick={cancel}>
              Cancel
            </button>
          )}
        </div>
      </form>
      <ErrorMessage error={error ?? list.error} />
      <Notice text={notice} />
      <SearchBox label="Search aliases" value={q} onInput={setQuery} />
      <div class="table-wrap">
        <table class="list">
          <caption class="sr-only">Aliases</caption>
          <thead>
            <tr>
              <th scope="col">Alias</th>
              <th scope="col">Delivers to</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((a) => (
              <tr key={a.alias}>
                <th scope="row" data-label="Alias">
                  {a.alias}
                </th>
                <td data-label="Delivers to">{a.targets.join(', ')}</td>
                <td class="actions">
                  <button type="button" onClick={() => edit(a)} aria-label={`Edit ${a.alias}`}>
                    Edit
                  </button>
                  <button type="button" class="danger" onClick={() => remove(a)} aria-label={`Delete ${a.alias}`}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {list.data && list.data.items.length === 0 && <p>No aliases{search ? ' match' : ' yet'}.</p>}
      {list.data && (
        <Pager offset={offset} limit={limit} count={list.data.items.length} total={list.data.total} onChange={setOffset} />
      )}
    </>
  );
}
