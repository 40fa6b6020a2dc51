// The credits module's face: filing credit requests (a batch of transitions' steps does).
export { type FileCreditInput, fileCreditRequests } from './credits.service.ts';
