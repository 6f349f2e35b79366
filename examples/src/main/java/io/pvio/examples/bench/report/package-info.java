/**
 * What every benchmark report shares: a small JSON reader for JMH's result files
 * ({@link io.pvio.examples.bench.report.JsonParser}) and number formatting
 * ({@link io.pvio.examples.bench.report.Format}).
 */
package io.pvio.examples.bench.report;
