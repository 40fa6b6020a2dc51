// The credits module's face: filing a credit request (a transition's step does).
export { type FileCreditInput, fileCreditRequest } from './credits.service.ts';
