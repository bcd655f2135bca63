/*-------------------------------------------------------------------------
 *
 * errors.h
 *	  siddhi's own SQLSTATE class "SD".
 *
 * Errors that Postgres itself has a code for (undefined_column,
 * datatype_mismatch, insufficient_privilege, duplicate_object, ...) keep
 * that code; these are for what is ours.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_ERRORS_H
#define SIDDHI_ERRORS_H

#include "utils/elog.h"

/* SD000: generic */
#define ERRCODE_SIDDHI_ERROR MAKE_SQLSTATE('S', 'D', '0', '0', '0')
/* SD001: the app text does not parse */
#define ERRCODE_SIDDHI_SYNTAX_ERROR MAKE_SQLSTATE('S', 'D', '0', '0', '1')
/* SD002: it parses but makes no sense (unknown stream, bad window args) */
#define ERRCODE_SIDDHI_SEMANTIC_ERROR MAKE_SQLSTATE('S', 'D', '0', '0', '2')
/* SD003: a query failed while processing an event */
#define ERRCODE_SIDDHI_RUNTIME_ERROR MAKE_SQLSTATE('S', 'D', '0', '0', '3')
/* SD004: a source or sink failed */
#define ERRCODE_SIDDHI_CONNECTOR_ERROR MAKE_SQLSTATE('S', 'D', '0', '0', '4')
/* SD005: the library was not loaded through shared_preload_libraries */
#define ERRCODE_SIDDHI_NOT_PRELOADED MAKE_SQLSTATE('S', 'D', '0', '0', '5')

#endif /* SIDDHI_ERRORS_H */
