import { Link } from 'react-router';

/** Any path the UI does not know. */
export function NotFound() {
  return (
    <div className="panel notice">
      Nothing here. <Link to="/">Back to the services overview</Link>.
    </div>
  );
}
