// The client's entry: styles, the session kept from an earlier visit, and the app.
import './styles/app.css';
import { render } from 'preact';
import { App } from './App';
import { restoreSession } from './state/session';

void restoreSession();
const root = document.getElementById('app');
if (root) render(<App />, root);
