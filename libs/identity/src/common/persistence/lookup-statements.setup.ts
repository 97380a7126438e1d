import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { IDENTITY_RESOLVED_OPTIONS } from '../../identity.constants.js';
import type { ResolvedIdentityOptions } from '../../identity.module-definition.js';
import { disablePreparedStatements } from './persistence.js';

/** Applies `preparedStatements: false` to the module's data source when the module starts. */
@Injectable()
export class LookupStatementsSetup {
  constructor(
    @InjectDataSource() dataSource: DataSource,
    @Inject(IDENTITY_RESOLVED_OPTIONS) options: ResolvedIdentityOptions,
  ) {
    if (!options.preparedStatements) {
      disablePreparedStatements(dataSource);
    }
  }
}
