// The home module's face: the partner's home page, computed on the server (issue 21).
export { registerHome } from './home.routes.ts';
