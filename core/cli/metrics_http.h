/* metrics_http.h: `eddy run --metrics-port`: a Prometheus text endpoint (GET /metrics) over
 * the running applications' counters. One server per process. */
#ifndef EDDY_METRICS_HTTP_H
#define EDDY_METRICS_HTTP_H

#include "runtime/pipeline.h"

/* Starts serving on `port` (0: any free port). Returns the port, or a negative code with
 * errstr. */
int eddy_metrics_start(int port, char *errstr, size_t errstr_size);
/* Lists `p` (borrowed until eddy_metrics_stop) under application `app`. */
void eddy_metrics_add(const char *app, const eddy_pipeline *p);
/* Stops the server and forgets the pipelines. */
void eddy_metrics_stop(void);

#endif
