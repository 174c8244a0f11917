import { useState } from 'preact/hooks';
import { api, base, type Me } from '../api';
import { ErrorMessage, Field, Notice, PageTitle } from '../components/ui';
import { formatQuota, percent } from '../format';
import { useLoad } from '../hooks';

function Usage(props: { me: Me }) {
  const m = props.me;
  return (
    <section aria-labelledby="usage">
      <h2 id="usage">Storage</h2>
      <p>{formatQuota(m.used_bytes, m.quota_bytes)}</p>
      {m.quota_bytes > 0 && (
        <meter min={0} max={100} low={80} high={95} optimum={0} value={percent(m.used_bytes, m.quota_bytes)} aria-label="Storage used, percent">
          {percent(m.used_bytes, m.quota_bytes)} %
        </meter>
      )}
      <p>
        {m.used_messages} message{m.used_messages === 1 ? '' : 's'}
        {m.quota_messages > 0 ? ` of at most ${m.quota_messages}` : ''}
      </p>
    </section>
  );
}

function ChangePassword() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [mismatch, setMismatch] = useState(false);
  const [notice, setNotice] = useState('');

  async function submit(e: Event) {
    e.preventDefault();
    setError(null);
    setNotice('');
    setMismatch(next !== repeat);
    if (next !== repeat) return;
    try {
      await api.post('me/password', { current_password: current, new_password: next });
      setCurrent('');
      setNext('');
      setRepeat('');
      setNotice('Your password has been changed.');
    } catch (err) {
      setError(err);
    }
  }

  return (
    <form class="card" onSubmit={submit} aria-labelledby="password">
      <h2 id="password">Change password</h2>
      <Field label="Current password" name="current_password" type="password" value={current} onInput={setCurrent} autocomplete="current-password" required />
      <Field label="New password" name="new_password" type="password" value={next} onInput={setNext} autocomplete="new-password" required hint="At least 8 characters" />
      <Field label="Repeat the new password" name="repeat_password" type="password" value={repeat} onInput={setRepeat} autocomplete="new-password" required invalid={mismatch} />
      <button type="submit" class="primary">
        Change password
      </button>
      {mismatch ? (
        <p class="error" role="alert">
          The two new passwords differ.
        </p>
      ) : (
        <ErrorMessage error={error} />
      )}
      <Notice text={notice} />
    </form>
  );
}

// A plain link, not a fetched blob: iOS and macOS install a profile only when
// the browser itself loads it (the session cookie goes along, same origin).
function Profile() {
  return (
    <section aria-labelledby="devices">
      <h2 id="devices">Apple devices</h2>
      <p>A configuration profile sets up mail on an iPhone, iPad or Mac.</p>
      <a class="button" href={`${base}me/mobileconfig`} download="copper.mobileconfig">
        Download profile
      </a>
    </section>
  );
}

export function Account() {
  const me = useLoad(() => api.get<Me>('me'), []);
  return (
    <>
      <PageTitle>My account</PageTitle>
      <ErrorMessage error={me.error} />
      {me.data && <p class="who">{me.data.address}</p>}
      {me.data && <Usage me={me.data} />}
      <ChangePassword />
      <Profile />
    </>
  );
}
