// The response schemas shared across routes. Each has an `$id` (its name under the OpenAPI
// document's components.schemas, and so in the console's generated web/src/api-types.ts); the
// server registers them once and the routes' responses `$ref` them (src/platform/http/server.ts).
// A schema given an `$id` must be listed here: the server refuses an unregistered one.
import type { TSchema } from '@sinclair/typebox';
import { AuditEvent, AuditPage } from './modules/audit/audit.schemas.ts';
import { ApiTokenPage, ApiTokenView, LoginResponse, MeView, UserView } from './modules/auth/auth.schemas.ts';
import {
  AzurePlanLineView,
  AzurePlanView,
  AzureSubscriptionPage,
  AzureSubscriptionView,
  AzureTransferPage,
  AzureTransferView,
  BlockerView,
  UsageView,
} from './modules/azure/azure.schemas.ts';
import { BillingLinePage, BillingLineView } from './modules/billing/billing.schemas.ts';
import {
  InvoiceDetail,
  InvoiceLineView,
  InvoicePage,
  InvoiceView,
} from './modules/billing/invoices.schemas.ts';
import { OfferPage, OfferView, PriceView, ServicePlanView } from './modules/catalog/catalog.schemas.ts';
import { CreditRequestPage, CreditRequestView } from './modules/credits/credits.schemas.ts';
import {
  GrantPage,
  GrantView,
  PartnerDelegatedAdminView,
} from './modules/delegated-admin/delegated-admin.schemas.ts';
import {
  LicensedUserPage,
  LicensedUserView,
  LicenseView,
  SeatPoolPage,
  SeatPoolView,
} from './modules/licenses/licenses.schemas.ts';
import { NotificationPage, NotificationView } from './modules/notifications/notifications.schemas.ts';
import { OrderPage, OrderView } from './modules/orders/orders.schemas.ts';
import { PartnerView } from './modules/partners/partners.schemas.ts';
import {
  InvitationView,
  RelationshipRequestView,
  TenantPartnerView,
} from './modules/relationships/relationships.schemas.ts';
import {
  ChangedSubscriptionView,
  SubscriptionHistoryEntry,
  SubscriptionView,
  UpgradeOptions,
} from './modules/subscriptions/subscriptions.schemas.ts';
import { TenantView } from './modules/tenants/tenants.schemas.ts';
import { TransferView } from './modules/transfers/transfers.schemas.ts';
import {
  CustomerTaskPage,
  LineView,
  ReasonView,
  TransitionPage,
  TransitionSummary,
  Money as TransitionsMoney,
  TransitionView,
} from './modules/transitions/transitions.schemas.ts';

export const API_COMPONENTS: readonly TSchema[] = [
  ApiTokenPage,
  ApiTokenView,
  LoginResponse,
  MeView,
  UserView,
  TenantView,
  ChangedSubscriptionView,
  SubscriptionHistoryEntry,
  SubscriptionView,
  UpgradeOptions,
  LicenseView,
  LicensedUserPage,
  LicensedUserView,
  SeatPoolPage,
  SeatPoolView,
  OrderPage,
  OrderView,
  OfferPage,
  OfferView,
  PriceView,
  ServicePlanView,
  GrantPage,
  GrantView,
  PartnerDelegatedAdminView,
  InvitationView,
  RelationshipRequestView,
  TenantPartnerView,
  CustomerTaskPage,
  LineView,
  TransitionsMoney,
  ReasonView,
  TransitionPage,
  TransitionSummary,
  TransitionView,
  AuditEvent,
  AuditPage,
  CreditRequestPage,
  CreditRequestView,
  TransferView,
  AzurePlanLineView,
  AzurePlanView,
  AzureSubscriptionPage,
  AzureSubscriptionView,
  AzureTransferPage,
  AzureTransferView,
  BlockerView,
  UsageView,
  InvoiceDetail,
  InvoiceLineView,
  InvoicePage,
  InvoiceView,
  BillingLinePage,
  BillingLineView,
  PartnerView,
  NotificationPage,
  NotificationView,
];
