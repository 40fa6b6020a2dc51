// The transfers module's face (SPEC §7): the transition's step asks for a transfer and reads its
// outcome; the planner's loader reads which sources were refused; the clock wakes the expiry sweep.
export { TRANSFER_EXPIRY_QUEUE } from './transfers.jobs.ts';
export {
  requestTransfer,
  type TransferDecided,
  transferForTransitionLine,
  transferOutcomesFor,
} from './transfers.service.ts';
