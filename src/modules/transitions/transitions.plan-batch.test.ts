import { describe, expect, it } from 'vitest';
import { decodeUsers, usersDecoder } from './transitions.plan-batch.ts';

// As the licenses and tenants faces read them: one JSON text per tenant, licenses in user id order.
const raw = {
  licenses: [
    {
      tenant_id: 't1',
      licenses: JSON.stringify([
        ['u1', 'sku-a', null],
        ['u1', 'sku-b', ['p1']],
        ['u2', 'sku-a', null],
        ['u2', 'sku-b', ['p1']],
        ['u3', 'sku-a', null],
        ['u3', 'sku-b', ['p2']],
        ['u4', 'sku-a', []],
        // Ids holding the signature's separators: equal signatures, different licenses.
        ['u5', 'x:y', null],
        ['u6', 'x', ['y']],
      ]),
    },
    { tenant_id: 't2', licenses: JSON.stringify([['v1', 'sku-a', null]]) },
  ],
  names: [
    {
      tenant_id: 't1',
      users: JSON.stringify([
        ['u1', 'one@t1'],
        ['u2', 'two@t1'],
        ['u9', 'none@t1'],
      ]),
    },
    { tenant_id: 't2', users: JSON.stringify([['v1', 'one@t2']]) },
  ],
};

describe('decoding the users of a batch', () => {
  it('gives each tenant its users in order, with their names and licenses', () => {
    const users = decodeUsers(raw);
    expect(users.get('t1')).toEqual([
      {
        id: 'u1',
        userPrincipalName: 'one@t1',
        licenses: [
          { skuId: 'sku-a', excludedPlanIds: [] },
          { skuId: 'sku-b', excludedPlanIds: ['p1'] },
        ],
      },
      {
        id: 'u2',
        userPrincipalName: 'two@t1',
        licenses: [
          { skuId: 'sku-a', excludedPlanIds: [] },
          { skuId: 'sku-b', excludedPlanIds: ['p1'] },
        ],
      },
      {
        id: 'u3',
        userPrincipalName: '',
        licenses: [
          { skuId: 'sku-a', excludedPlanIds: [] },
          { skuId: 'sku-b', excludedPlanIds: ['p2'] },
        ],
      },
      { id: 'u4', userPrincipalName: '', licenses: [{ skuId: 'sku-a', excludedPlanIds: [] }] },
      { id: 'u5', userPrincipalName: '', licenses: [{ skuId: 'x:y', excludedPlanIds: [] }] },
      { id: 'u6', userPrincipalName: '', licenses: [{ skuId: 'x', excludedPlanIds: ['y'] }] },
    ]);
    expect(users.get('t2')).toEqual([
      { id: 'v1', userPrincipalName: 'one@t2', licenses: [{ skuId: 'sku-a', excludedPlanIds: [] }] },
    ]);
    expect(usersDecoder(raw)('t3')).toEqual([]);
  });

  it('lets users holding the same licenses share one list, and only them', () => {
    const [u1, u2, u3, u4, u5, u6] = decodeUsers(raw).get('t1')!;
    expect(u1!.licenses).toBe(u2!.licenses);
    expect(u3!.licenses).not.toBe(u1!.licenses);
    expect(u4!.licenses).not.toBe(u1!.licenses);
    expect(u5!.licenses).not.toBe(u6!.licenses);
  });
});
