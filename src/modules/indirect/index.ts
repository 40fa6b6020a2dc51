// The indirect module's face: nothing but its routes (registered in app.ts); the two-tier links
// other modules ask about are the partners module's (isIndirectlyLinked).
export { registerIndirect } from './indirect.routes.ts';
