import {
  type CreateCustomAttributeInput,
  CustomAttributesService,
  IdentityError,
  IdentityErrorCode,
} from '../libs/identity/src/index.js';

/** A few custom attribute definitions to try the end-users surface with at once. */
export const DEMO_CUSTOM_ATTRIBUTES: CreateCustomAttributeInput[] = [
  {
    entityType: 'Contact',
    identifier: 'plan',
    label: 'Plan',
    description: 'The subscription plan of the customer',
    inputDefinition: { _type: 'Text', placeholder: 'e.g. Pro' },
  },
  {
    entityType: 'Contact',
    identifier: 'region',
    label: 'Region',
    description: 'Where the customer is; set it as a path, e.g. ["Europe", "Denmark"]',
    inputDefinition: {
      _type: 'Select',
      options: [
        { value: 'Europe', nestedOptions: [{ value: 'Denmark' }, { value: 'Germany' }, { value: 'Sweden' }] },
        { value: 'Americas', nestedOptions: [{ value: 'Brazil' }, { value: 'United States' }] },
        { value: 'Asia-Pacific', label: 'Asia & Pacific' },
      ],
    },
  },
  {
    entityType: 'Conversation',
    identifier: 'topic',
    label: 'Topic',
    inputDefinition: {
      _type: 'Select',
      options: [{ value: 'Billing' }, { value: 'Technical' }, { value: 'Other' }],
    },
  },
];

/** Creates the demo definitions in a workspace, leaving any that exist already; answers a line per definition. */
export async function seedDemoCustomAttributes(
  service: CustomAttributesService,
  workspaceId: string,
): Promise<string[]> {
  const lines: string[] = [];
  for (const definition of DEMO_CUSTOM_ATTRIBUTES) {
    try {
      const created = await service.create(workspaceId, definition);
      lines.push(`Created ${created.entityType} attribute ${created.id} (${created.identifier})`);
    } catch (err) {
      if (!(err instanceof IdentityError) || err.code !== IdentityErrorCode.Conflict) {
        throw err;
      }
      lines.push(`Kept the existing ${definition.entityType} attribute ${definition.identifier}`);
    }
  }
  return lines;
}
