import { useState } from 'preact/hooks';
import { api, type SessionInfo } from '../api';
import { ErrorMessage, Field } from '../components/ui';

export function Login(props: { onLogin: (s: SessionInfo) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const s = await api.post<SessionInfo>('login', { username, password });
      setPassword('');
      props.onLogin(s);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" class="login">
      <h1>Copper</h1>
      <form onSubmit={submit} aria-describedby="login-error">
        <Field label="Address" name="username" value={username} onInput={setUsername} autocomplete="username" required />
        <Field
          label="Password"
          name="password"
          type="password"
          value={password}
          onInput={setPassword}
          autocomplete="current-password"
          required
        />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <div id="login-error">
          <ErrorMessage error={error} />
        </div>
      </form>
    </main>
  );
}
