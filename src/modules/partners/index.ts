// The partners module's face: the one reader other modules need.
export { findPartner, partnersByIds } from './partners.repo.ts';
export {
  indirectLinks,
  isIndirectlyLinked,
  linkIndirectReseller,
  partnerNames,
} from './partners.service.ts';
