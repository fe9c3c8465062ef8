import { createRoot } from 'react-dom/client';
import { App } from './App';
import { applyTheme } from './lib/theme';
import './styles.css';
import '@xyflow/react/dist/style.css';

applyTheme();
createRoot(document.getElementById('root')!).render(<App />);
