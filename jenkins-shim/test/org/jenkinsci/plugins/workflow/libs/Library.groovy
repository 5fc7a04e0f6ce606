package org.jenkinsci.plugins.workflow.libs

import java.lang.annotation.Retention
import java.lang.annotation.RetentionPolicy

/**
 * Stand-in for Jenkins' `@Library('name') _`; the harness has the library
 * loaded already, so here it only has to compile.
 */
@Retention(RetentionPolicy.SOURCE)
@interface Library {
  String[] value()
}
