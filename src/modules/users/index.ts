// The users module's face: sign-in accounts. Other modules create and view accounts through the use
// cases, and read or change an account's roles and state through these functions, never its tables.

export {
  findUser,
  findUserForLogin,
  listUsers,
  membersOf,
  otherActiveAccountAdmins,
  partnerUserIds,
  replaceRoles,
  rolesOf,
  setDisabled,
  setPasswordHash,
  type UserRecord,
} from './users.repo.ts';
export {
  type CreateUserInput,
  checkRoles,
  createUser,
  partnersOnPlatform,
  toUserView,
  userRowView,
} from './users.service.ts';
