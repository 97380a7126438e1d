import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { IdentityEvents } from '../identity.constants.js';
import { AuditService } from '../audit/audit.service.js';
import type { Caller } from '../audit/caller.js';
import { IdentityEventsPublisher } from '../common/events/identity-events.js';
import { insertRows, type JsonObject, newId, runInTransaction } from '../common/persistence/persistence.js';
import { EmailRecordEntity } from './email-record.entity.js';
import { FamilyUserQueriesService } from './family-user-queries.service.js';
import { auditEntry, eventIds, requireCloginId } from './family-user-registrations.service.js';
import type { FamilyUsersRequest, FamilyUserView, UserProductView } from './family-user.view.js';
import { DocProblems, stringField, wholeNumberOf } from './family-user-doc.js';
import type { ProjectEntity } from './project.entity.js';
import { UserProductEntity } from './user-product.entity.js';

/** How many products one `add_product` call may add. */
const MAX_PRODUCTS_PER_CALL = 100;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function isCalendarDate(text: string): boolean {
  const date = new Date(`${text}T00:00:00Z`);
  return ISO_DATE.test(text) && !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}

/** What is recorded against a registration: products (`add_product`) and emails (`add_email`). */
@Injectable()
export class FamilyUserRecordsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly queries: FamilyUserQueriesService,
    private readonly audit: AuditService,
    private readonly events: IdentityEventsPublisher,
  ) {}

  /** Adds `doc.product_list` (`{ p_id, q, product_remark, recurring_start_date }` each) in one statement. */
  async addProducts(
    caller: Caller,
    project: ProjectEntity,
    request: FamilyUsersRequest,
  ): Promise<{ user: FamilyUserView; products: UserProductView[] }> {
    const cloginId = requireCloginId(request);
    const list = request.doc?.product_list;
    const problems = new DocProblems();
    if (!Array.isArray(list) || list.length === 0 || list.length > MAX_PRODUCTS_PER_CALL) {
      problems.add('doc.product_list', `must be a list of 1 to ${MAX_PRODUCTS_PER_CALL} products`);
      problems.throwIfAny();
    }
    const products = (list as unknown[]).map((item, i) =>
      this.productOf(item, `doc.product_list.${i}`, problems),
    );
    problems.throwIfAny();
    const user = await this.queries.require(caller.workspaceId, project.id, cloginId);
    const now = new Date();
    const rows: UserProductEntity[] = products.map((product) => ({
      id: newId(),
      workspaceId: caller.workspaceId,
      familyUserId: user.id,
      productId: product!.productId,
      quantity: product!.quantity,
      remark: product!.remark,
      recurringStartDate: product!.recurringStartDate,
      createdAt: now,
    }));
    await runInTransaction(this.dataSource, async (manager) => {
      await insertRows(manager, UserProductEntity, rows);
      await this.audit.record(caller.actor, auditEntry(user, 'family-user.add-product'), manager);
    });
    this.events.emit(IdentityEvents.familyUserUpdated, { ...eventIds(user), change: 'products' });
    return {
      user,
      products: rows.map(({ productId, quantity, remark, recurringStartDate, createdAt }) => ({
        productId,
        quantity,
        remark,
        recurringStartDate,
        createdAt,
      })),
    };
  }

  /**
   * Records an email (`from`, `to`, `subject`, `body`, `cc`, `bcc`, `admin_id`) against the registration.
   * Nothing is sent: `identity.family-user.email` tells the host, unless `disable_email_sending`.
   */
  async addEmail(
    caller: Caller,
    project: ProjectEntity,
    request: FamilyUsersRequest,
  ): Promise<{ user: FamilyUserView; emailId: string }> {
    const cloginId = requireCloginId(request);
    const doc: JsonObject = request.doc ?? {};
    const problems = new DocProblems();
    const from = stringField(doc, 'from', problems, { max: 320, required: true });
    const to = stringField(doc, 'to', problems, { max: 2000, required: true });
    const subject = stringField(doc, 'subject', problems, { max: 998, required: true });
    const body = stringField(doc, 'body', problems, { max: 100_000, raw: true }) ?? '';
    const cc = stringField(doc, 'cc', problems, { max: 2000 });
    const bcc = stringField(doc, 'bcc', problems, { max: 2000 });
    const adminId = stringField(doc, 'admin_id', problems, { max: 64 });
    problems.throwIfAny();
    const user = await this.queries.require(caller.workspaceId, project.id, cloginId);
    const record: EmailRecordEntity = {
      id: newId(),
      workspaceId: caller.workspaceId,
      familyUserId: user.id,
      fromAddress: from!,
      toAddress: to!,
      subject: subject!,
      body,
      cc: cc || null,
      bcc: bcc || null,
      adminId: adminId || null,
      createdAt: new Date(),
    };
    await runInTransaction(this.dataSource, async (manager) => {
      await insertRows(manager, EmailRecordEntity, record);
      await this.audit.record(caller.actor, auditEntry(user, 'family-user.add-email'), manager);
    });
    if (!request.disableEmailSending) {
      this.events.emit(IdentityEvents.familyUserEmail, {
        ...eventIds(user),
        kind: 'recorded',
        emailId: record.id,
      });
    }
    return { user, emailId: record.id };
  }

  private productOf(
    item: unknown,
    path: string,
    problems: DocProblems,
  ): Omit<UserProductView, 'createdAt'> | undefined {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problems.add(path, 'must be an object with p_id');
      return undefined;
    }
    const product = item as JsonObject;
    const productId = wholeNumberOf(product.p_id);
    if (productId === undefined) {
      problems.add(`${path}.p_id`, 'must be a whole number of at least 1');
    }
    const quantity = product.q === undefined || product.q === null ? 1 : wholeNumberOf(product.q);
    if (quantity === undefined || quantity > 10_000) {
      problems.add(`${path}.q`, 'must be a whole number from 1 to 10000');
    }
    const remark = stringField(product, 'product_remark', problems, {
      max: 1000,
      path: `${path}.product_remark`,
    });
    const date = stringField(product, 'recurring_start_date', problems, {
      max: 10,
      path: `${path}.recurring_start_date`,
    });
    if (date && !isCalendarDate(date)) {
      problems.add(`${path}.recurring_start_date`, 'must be a date like 2024-09-01');
    }
    return {
      productId: productId ?? 0,
      quantity: quantity ?? 1,
      remark: remark || null,
      recurringStartDate: date || null,
    };
  }
}
