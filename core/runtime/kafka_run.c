/* kafka_run.c: runs a planned pipeline against Kafka, as Kafka Streams runs a topology.
 *
 * - The topics the operators declared are checked (inputs) or created (outputs) first; an
 *   unreachable cluster is reported and retried until it answers or the run is stopped.
 * - `threads` workers each own a consumer in the group `app_id` and a producer. The group
 *   protocol (range assignor, so partition p of every input lands on one member) splits the
 *   input partitions across the workers of every instance of the application.
 * - A worker makes one task per assigned partition number p (task p reads partition p of
 *   each input: co-partitioned sources together) when partitions are assigned, and flushes,
 *   commits and destroys its tasks when they are revoked. Each partition's messages come from
 *   its own queue (rd_kafka_queue_get_partition), which the task's sources fetch from.
 * - At-least-once: every commit interval a worker flushes its tasks (operators emit what they
 *   buffer, sinks produce), waits until its producer has every message acknowledged, then
 *   commits the offsets after the last records its sources fetched. Since a fetch returns
 *   only when the graph has handled the records before it, nothing uncommitted is lost: a
 *   crash replays from the last commit. A delivery failure stops the run before committing.
 * - Exactly-once (processing.guarantee=exactly_once_v2): the producer is transactional
 *   (transactional.id = <app_id>-<worker>), and the offsets are committed inside the
 *   transaction (send_offsets_to_transaction) at each commit interval. */
#include "runtime/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eddy/udf.h"
#include "io/kafka.h"
#include "serde/serde.h"

typedef struct kqueue {
    const char *topic; /* borrowed from the pipeline's declarations */
    int32_t partition;
    rd_kafka_queue_t *q;
} kqueue;

typedef struct krun {
    eddy_pipeline *p;
    const eddy_kafka_opts *o;
    const char **inputs; /* distinct input topic names (borrowed) */
    int ninputs;
    int64_t metrics_ms, next_summary; /* the periodic summary line */
    eddy_kafka_metrics last;          /* at the previous summary */
    int64_t last_at;
} krun;

/* The periodic one-line summary (metrics.interval.ms; INFO, so --quiet hides it). */
static void summary(krun *r, int64_t now)
{
    eddy_kafka_metrics m;
    eddy_pipeline_kafka_metrics(r->p, &m);
    double secs = r->last_at ? (double)(now - r->last_at) / 1000.0 : 0;
    eddy_runtime_log(r->p, NULL, -1, EDDY_LOG_INFO,
                     "%s: %d task(s), in %llu (%.0f/s), out %llu (%.0f/s), lag %lld, "
                     "changelog writes %llu, processing log %llu, commits %llu (last %lld ms, "
                     "max %lld ms)",
                     r->o->app_id, m.tasks, (unsigned long long)m.records_in,
                     secs > 0 ? (double)(m.records_in - r->last.records_in) / secs : 0,
                     (unsigned long long)m.records_out,
                     secs > 0 ? (double)(m.records_out - r->last.records_out) / secs : 0,
                     (long long)m.lag, (unsigned long long)m.changelog_writes,
                     (unsigned long long)eddy_pipeline_processing_log_count(r->p),
                     (unsigned long long)m.commits, (long long)m.last_commit_ms,
                     (long long)m.max_commit_ms);
    r->last = m;
    r->last_at = now;
}

struct eddy_kworker {
    krun *run;
    int index;
    pthread_t thread;
    rd_kafka_t *consumer, *producer;
    eddy_task **tasks;
    int ntasks;
    kqueue *queues;
    int nqueues;
    uint8_t *keybuf; /* windowed keys */
    size_t keycap;
    eddy_arena *scratch;   /* repartition keys */
    eddy_buf kbuf, vbuf;   /* repartition records */
    eddy_topic_record *xrecs; /* one repartition fetch */
    int xcap;
    rd_kafka_t *restorer;     /* reads changelogs back when a task is created */
    volatile int delivery_failed;
    char delivery_err[512];
    bool in_txn;
    bool rebalancing; /* a commit was refused for a rebalance: wait for it, process nothing */
    int64_t next_commit;
    int64_t lag;      /* this worker's share of the metrics' lag */
    int ntasks_seen;  /* this worker's share of the metrics' tasks */
};

/* ------------------------------------------------------------ clients */

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    struct eddy_kworker *kw = opaque;
    if (m->err && !kw->delivery_failed) {
        snprintf(kw->delivery_err, sizeof kw->delivery_err,
                 "a record could not be delivered to topic '%s': %s",
                 rd_kafka_topic_name(m->rkt), rd_kafka_err2str(m->err));
        kw->delivery_failed = 1;
    }
}

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque);

static int new_client(krun *r, eddy_kclient kind, struct eddy_kworker *kw, rd_kafka_t **out)
{
    eddy_pipeline *p = r->p;
    char err[EDDY_ERRSTR_SIZE];
    rd_kafka_conf_t *c;
    int rc = eddy_kafka_conf(r->o->props, kind, &c, err, sizeof err);
    if (rc) {
        eddy_pipeline_fail(p, rc, "%s", err);
        return rc;
    }
    char why[512];
    if (kind == EDDY_KCLIENT_CONSUMER) {
        rd_kafka_conf_set(c, "group.id", r->o->app_id, NULL, 0);
        rd_kafka_conf_set_rebalance_cb(c, on_rebalance);
    } else if (kind == EDDY_KCLIENT_PRODUCER && kw) {
        rd_kafka_conf_set_dr_msg_cb(c, on_delivery);
        if (r->o->exactly_once) {
            char tid[512];
            snprintf(tid, sizeof tid, "%s-%d", r->o->app_id, kw->index);
            rd_kafka_conf_set(c, "transactional.id", tid, NULL, 0);
        }
    }
    if (kw)
        rd_kafka_conf_set_opaque(c, kw);
    rd_kafka_t *rk = rd_kafka_new(kind == EDDY_KCLIENT_CONSUMER ? RD_KAFKA_CONSUMER
                                                                 : RD_KAFKA_PRODUCER,
                                  c, why, sizeof why);
    if (!rk) {
        rd_kafka_conf_destroy(c);
        eddy_pipeline_fail(p, EDDY_EINVAL, "Kafka client: %s", why);
        return EDDY_EINVAL;
    }
    if (kind == EDDY_KCLIENT_CONSUMER)
        rd_kafka_poll_set_consumer(rk);
    *out = rk;
    return 0;
}

/* ------------------------------------------------------------- topics */

/* Adds `name` (borrowed) to the topics the workers subscribe to, once. */
static int add_input(krun *r, const char *name)
{
    for (int j = 0; j < r->ninputs; j++)
        if (strcmp(r->inputs[j], name) == 0)
            return 0;
    const char **v = realloc(r->inputs, (size_t)(r->ninputs + 1) * sizeof *v);
    if (!v) {
        eddy_pipeline_fail(r->p, EDDY_ENOMEM, "out of memory");
        return EDDY_ENOMEM;
    }
    r->inputs = v;
    r->inputs[r->ninputs++] = name;
    return 0;
}

/* Checks the inputs and creates the outputs. Retries while the cluster cannot be reached. */
static int prepare_topics(krun *r)
{
    eddy_pipeline *p = r->p;
    rd_kafka_t *admin;
    if (new_client(r, EDDY_KCLIENT_ADMIN, NULL, &admin))
        return p->err;
    char err[EDDY_ERRSTR_SIZE];
    int max_in = 0, rc = 0;
    const char *rf = eddy_kprops_get(r->o->props, "replication.factor");
    for (int pass = 0; pass < 2 && rc == 0; pass++) {
        for (int i = 0; i < p->nnodes && rc == 0; i++) {
            eddy_node *n = &p->nodes[i];
            for (int k = 0; k < n->ntopics && rc == 0; k++) {
                eddy_topic_use *u = &n->topics[k];
                if (u->d.output != (pass == 1))
                    continue;
                int parts = 0;
                bool told = false;
                for (;;) {
                    if (!u->d.output && u->d.partitions <= 0) {
                        /* An input nobody said how to create: wait for it (a query upstream
                         * or a producer makes it). */
                        parts = eddy_kafka_listed_partitions(admin, u->name, 2000, err,
                                                             sizeof err);
                        rc = parts < 0 ? parts : 0;
                        if (parts == 0) {
                            if (!told)
                                eddy_runtime_log(p, n->gn->id, -1, EDDY_LOG_WARN,
                                                 "topic '%s' does not exist yet: waiting for "
                                                 "it (WITH (PARTITIONS=n) creates it)", u->name);
                            told = true;
                            if (p->stop)
                                break;
                            eddy_sleep_ms(500);
                            continue;
                        }
                    } else
                        rc = eddy_kafka_ensure_topic(
                            admin, r->o->broker, u->name,
                            u->d.partitions > 0 ? u->d.partitions
                            : u->d.output       ? (max_in ? max_in : 1)
                                                : 4,
                            u->d.replicas > 0 ? u->d.replicas : rf ? atoi(rf) : 1, false,
                            &parts, err, sizeof err);
                    if (rc != EDDY_EIO || p->stop)
                        break;
                    eddy_runtime_log(p, n->gn->id, -1, EDDY_LOG_WARN, "%s; retrying", err);
                    eddy_sleep_ms(1000);
                }
                if (rc) {
                    eddy_pipeline_fail(p, rc, "node '%s': %s", n->gn->id, err);
                    break;
                }
                if (!u->d.output) {
                    if (parts > max_in)
                        max_in = parts;
                    if ((rc = add_input(r, u->name)))
                        break;
                }
                eddy_runtime_log(p, n->gn->id, -1, EDDY_LOG_DEBUG, "topic '%s': %d partition(s)",
                                 u->name, parts);
            }
        }
    }
    /* Repartition topics: <app>-<node>-repartition[-<port>], as many partitions as the
     * inputs, read by the application like an input. */
    for (int i = 0; i < p->nnodes && rc == 0; i++) {
        eddy_node *n = &p->nodes[i];
        for (int k = 0; k < n->nxch && rc == 0; k++) {
            eddy_exchange *x = &n->xch[k];
            char name[512];
            if (x->port == 0)
                snprintf(name, sizeof name, "%s-%s-repartition", r->o->app_id, n->gn->id);
            else
                snprintf(name, sizeof name, "%s-%s-repartition-%d", r->o->app_id, n->gn->id,
                         x->port);
            free(x->use.name);
            x->use = (eddy_topic_use){.name = strdup(name)};
            int parts;
            if (!x->use.name) {
                rc = EDDY_ENOMEM;
                eddy_pipeline_fail(p, rc, "out of memory");
                break;
            }
            rc = eddy_kafka_ensure_topic(admin, r->o->broker, name, max_in ? max_in : 1,
                                         rf ? atoi(rf) : 1, false, &parts, err, sizeof err);
            if (rc) {
                eddy_pipeline_fail(p, rc, "node '%s': %s", n->gn->id, err);
                break;
            }
            rc = add_input(r, x->use.name);
        }
    }
    /* Changelogs: <app>-<node>-<store>-changelog, compacted, one partition per task. */
    for (int i = 0; i < p->nnodes && rc == 0; i++) {
        eddy_node *n = &p->nodes[i];
        for (int k = 0; k < n->nstores && rc == 0; k++) {
            char name[512];
            snprintf(name, sizeof name, "%s-%s-%s-changelog", r->o->app_id, n->gn->id,
                     n->stores[k].name);
            free(n->changelogs[k]);
            n->changelogs[k] = strdup(name);
            int parts;
            rc = n->changelogs[k] ? eddy_kafka_ensure_topic(admin, r->o->broker, name,
                                                            max_in ? max_in : 1,
                                                            rf ? atoi(rf) : 1, true, &parts,
                                                            err, sizeof err)
                                  : EDDY_ENOMEM;
            if (rc)
                eddy_pipeline_fail(p, rc, "node '%s': %s", n->gn->id,
                                   rc == EDDY_ENOMEM ? "out of memory" : err);
        }
    }
    rd_kafka_destroy(admin);
    return rc;
}

/* -------------------------------------------------------------- tasks */

static eddy_task *task_of(struct eddy_kworker *kw, int partition)
{
    for (int i = 0; i < kw->ntasks; i++)
        if (kw->tasks[i]->partition == partition)
            return kw->tasks[i];
    return NULL;
}

static int task_add(struct eddy_kworker *kw, int partition)
{
    eddy_pipeline *p = kw->run->p;
    if (task_of(kw, partition))
        return 0;
    eddy_task **v = realloc(kw->tasks, (size_t)(kw->ntasks + 1) * sizeof *v);
    eddy_task *t = calloc(1, sizeof *t);
    if (!v || !t) {
        free(t);
        if (v)
            kw->tasks = v;
        eddy_pipeline_fail(p, EDDY_ENOMEM, "out of memory");
        return EDDY_ENOMEM;
    }
    kw->tasks = v;
    kw->tasks[kw->ntasks++] = t;
    t->kw = kw;
    return eddy_task_init(p, t, partition, partition);
}

/* Flushes the tasks, waits for every produced record to be acknowledged, then commits the
 * offsets after what the sources fetched (or the transaction holding them). */
/* This worker's lag: records in its partitions past what it fetched (cached watermarks). */
static void update_lag(struct eddy_kworker *kw)
{
    eddy_pipeline *p = kw->run->p;
    int64_t lag = 0;
    for (int i = 0; i < kw->ntasks; i++) {
        eddy_task *t = kw->tasks[i];
        int64_t tlag = 0;
        for (int k = 0; k < p->nnodes; k++)
            for (int j = 0; j < t->ops[k].nfetch; j++) {
                eddy_fetch *f = &t->ops[k].fetch[j];
                int64_t lo, hi;
                if (rd_kafka_get_watermark_offsets(kw->consumer, f->use->name, t->partition, &lo,
                                                   &hi) == 0 && hi > (f->next < 0 ? lo : f->next))
                    tlag += hi - (f->next < 0 ? lo : f->next);
            }
        lag += tlag;
        if (t->partition >= 0 && t->partition < EDDY_TASK_METRICS) {
            __atomic_store_n(&p->tm[t->partition].lag, tlag, __ATOMIC_RELAXED);
            __atomic_store_n(&p->tm[t->partition].running, true, __ATOMIC_RELAXED);
        }
    }
    __atomic_add_fetch(&p->km.lag, lag - kw->lag, __ATOMIC_RELAXED);
    kw->lag = lag;
    __atomic_add_fetch(&p->km.tasks, kw->ntasks - kw->ntasks_seen, __ATOMIC_RELAXED);
    kw->ntasks_seen = kw->ntasks;
}

static int commit_(struct eddy_kworker *kw);

static int commit(struct eddy_kworker *kw)
{
    eddy_pipeline *p = kw->run->p;
    int64_t t0 = eddy_now_ms();
    int rc = commit_(kw);
    int64_t ms = eddy_now_ms() - t0;
    __atomic_store_n(&p->km.last_commit_ms, ms, __ATOMIC_RELAXED);
    if (ms > __atomic_load_n(&p->km.max_commit_ms, __ATOMIC_RELAXED))
        __atomic_store_n(&p->km.max_commit_ms, ms, __ATOMIC_RELAXED);
    __atomic_add_fetch(&p->km.commits, 1, __ATOMIC_RELAXED);
    update_lag(kw);
    return rc;
}

static int commit_(struct eddy_kworker *kw)
{
    eddy_pipeline *p = kw->run->p;
    for (int i = 0; i < kw->ntasks && p->err == 0; i++)
        eddy_task_flush(p, kw->tasks[i]);
    if (p->err)
        return p->err;
    rd_kafka_topic_partition_list_t *offs = rd_kafka_topic_partition_list_new(8);
    for (int i = 0; i < kw->ntasks; i++) {
        eddy_task *t = kw->tasks[i];
        for (int k = 0; k < p->nnodes; k++)
            for (int j = 0; j < t->ops[k].nfetch; j++) {
                eddy_fetch *f = &t->ops[k].fetch[j];
                if (f->next >= 0)
                    rd_kafka_topic_partition_list_add(offs, f->use->name, t->partition)->offset =
                        f->next;
            }
    }
    int rc = 0;
    rd_kafka_error_t *te = NULL;
    if (kw->run->o->exactly_once) {
        if (eddy_proclog_flush(p->proclog))
            eddy_runtime_log(p, NULL, -1, EDDY_LOG_WARN,
                             "worker %d: processing-log entries not acknowledged yet",
                             kw->index);
        if (offs->cnt) {
            rd_kafka_consumer_group_metadata_t *md = rd_kafka_consumer_group_metadata(kw->consumer);
            te = rd_kafka_send_offsets_to_transaction(kw->producer, offs, md, 30000);
            rd_kafka_consumer_group_metadata_destroy(md);
        }
        if (!te)
            te = rd_kafka_commit_transaction(kw->producer, 60000);
        if (!te)
            te = rd_kafka_begin_transaction(kw->producer);
        if (te) {
            eddy_pipeline_fail(p, EDDY_EIO, "transaction: %s", rd_kafka_error_string(te));
            rd_kafka_error_destroy(te);
            rc = EDDY_EIO;
        }
    } else {
        rd_kafka_resp_err_t e = rd_kafka_flush(kw->producer, 60000);
        if (e == 0 && eddy_proclog_flush(p->proclog))
            e = RD_KAFKA_RESP_ERR__TIMED_OUT; /* logged records not durable yet */
        if (kw->delivery_failed) {
            eddy_pipeline_fail(p, EDDY_EIO, "%s (offsets not committed)", kw->delivery_err);
            rc = EDDY_EIO;
        } else if (e) {
            /* Still unacknowledged: commit nothing now, try again at the next interval. */
            eddy_runtime_log(p, NULL, -1, EDDY_LOG_WARN,
                             "worker %d: %d record(s) not acknowledged yet (%s); offsets not "
                             "committed", kw->index, rd_kafka_outq_len(kw->producer),
                             rd_kafka_err2str(e));
        } else if (offs->cnt) {
            e = rd_kafka_commit(kw->consumer, offs, 0);
            if (e == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS ||
                e == RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION ||
                e == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID) {
                /* The partitions are about to move: what is processed from now on would be
                 * processed again by their next owner, so stop until the group settles. */
                if (!kw->rebalancing)
                    eddy_runtime_log(p, NULL, -1, EDDY_LOG_INFO,
                                     "worker %d: the group is rebalancing (%s): pausing until "
                                     "the new assignment", kw->index, rd_kafka_err2str(e));
                kw->rebalancing = true;
            } else if (e == 0) {
                eddy_runtime_log(p, NULL, -1, EDDY_LOG_DEBUG, "worker %d: committed %d offset(s)",
                                 kw->index, offs->cnt);
            } else if (e != RD_KAFKA_RESP_ERR__NO_OFFSET) {
                eddy_runtime_log(p, NULL, -1, EDDY_LOG_WARN,
                                 "worker %d: offset commit failed (%s); retried at the next "
                                 "interval", kw->index, rd_kafka_err2str(e));
            }
        }
    }
    rd_kafka_topic_partition_list_destroy(offs);
    return rc;
}

static void drop_tasks(struct eddy_kworker *kw)
{
    for (int i = 0; i < kw->ntasks; i++) {
        int tp = kw->tasks[i]->partition;
        if (tp >= 0 && tp < EDDY_TASK_METRICS)
            __atomic_store_n(&kw->run->p->tm[tp].running, false, __ATOMIC_RELAXED);
        eddy_task_free(kw->run->p, kw->tasks[i]);
        free(kw->tasks[i]);
    }
    kw->ntasks = 0;
    for (int i = 0; i < kw->nqueues; i++)
        rd_kafka_queue_destroy(kw->queues[i].q);
    kw->nqueues = 0;
}

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    struct eddy_kworker *kw = opaque;
    eddy_pipeline *p = kw->run->p;
    kw->rebalancing = false;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        kqueue *q = realloc(kw->queues, (size_t)(kw->nqueues + parts->cnt + 1) * sizeof *q);
        if (!q) {
            eddy_pipeline_fail(p, EDDY_ENOMEM, "out of memory");
            rd_kafka_assign(rk, NULL);
            return;
        }
        kw->queues = q;
        eddy_buf list = {0};
        for (int i = 0; i < parts->cnt; i++) {
            const rd_kafka_topic_partition_t *tp = &parts->elems[i];
            const char *name = NULL;
            for (int j = 0; j < kw->run->ninputs; j++)
                if (strcmp(kw->run->inputs[j], tp->topic) == 0)
                    name = kw->run->inputs[j];
            rd_kafka_queue_t *pq = rd_kafka_queue_get_partition(rk, tp->topic, tp->partition);
            rd_kafka_queue_forward(pq, NULL); /* its messages only through this queue */
            kw->queues[kw->nqueues++] = (kqueue){name, tp->partition, pq};
            eddy_buf_printf(&list, "%s%s[%d]", i ? ", " : "", tp->topic, (int)tp->partition);
        }
        for (int i = 0; i < parts->cnt && p->err == 0; i++)
            task_add(kw, parts->elems[i].partition);
        eddy_runtime_log(p, NULL, -1, EDDY_LOG_INFO, "worker %d: assigned %s (%d task(s))",
                         kw->index, list.len ? eddy_buf_cstr(&list) : "nothing", kw->ntasks);
        eddy_buf_free(&list);
        rd_kafka_assign(rk, parts);
        update_lag(kw); /* the tasks gauge */
    } else {
        if (p->err == 0)
            commit(kw);
        eddy_runtime_log(p, NULL, -1, EDDY_LOG_INFO, "worker %d: partitions revoked (%d task(s))",
                         kw->index, kw->ntasks);
        drop_tasks(kw);
        rd_kafka_assign(rk, NULL);
        update_lag(kw);
    }
}

/* --------------------------------------------------------- the worker */

static void *worker_main(void *arg)
{
    struct eddy_kworker *kw = arg;
    krun *r = kw->run;
    eddy_pipeline *p = r->p;
    if (new_client(r, EDDY_KCLIENT_PRODUCER, kw, &kw->producer) ||
        new_client(r, EDDY_KCLIENT_CONSUMER, kw, &kw->consumer))
        return NULL;
    if (r->o->exactly_once) {
        rd_kafka_error_t *te = rd_kafka_init_transactions(kw->producer, 60000);
        if (!te)
            te = rd_kafka_begin_transaction(kw->producer);
        if (te) {
            eddy_pipeline_fail(p, EDDY_EIO, "transactions: %s", rd_kafka_error_string(te));
            rd_kafka_error_destroy(te);
            return NULL;
        }
    }
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(r->ninputs);
    for (int i = 0; i < r->ninputs; i++)
        rd_kafka_topic_partition_list_add(sub, r->inputs[i], RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(kw->consumer, sub);
    rd_kafka_topic_partition_list_destroy(sub);
    if (e) {
        eddy_pipeline_fail(p, EDDY_EIO, "cannot subscribe: %s", rd_kafka_err2str(e));
        return NULL;
    }
    kw->next_commit = eddy_now_ms() + p->opts.commit_interval_ms;
    bool idle = false;
    while (p->err == 0 && !p->stop) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(kw->consumer, idle ? 10 : 0);
        if (m) {
            if (m->err)
                eddy_runtime_log(p, NULL, -1, EDDY_LOG_WARN, "worker %d: Kafka consumer: %s%s",
                                 kw->index, rd_kafka_message_errstr(m),
                                 m->err == RD_KAFKA_RESP_ERR__TRANSPORT ||
                                         m->err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN
                                     ? " (retrying)"
                                     : "");
            if (m->err == RD_KAFKA_RESP_ERR__FATAL) {
                char why[512];
                rd_kafka_fatal_error(kw->consumer, why, sizeof why);
                eddy_pipeline_fail(p, EDDY_EIO, "Kafka consumer: %s", why);
            }
            rd_kafka_message_destroy(m);
        }
        rd_kafka_poll(kw->producer, 0);
        int progress = 0;
        for (int i = 0; i < kw->ntasks && p->err == 0 && !kw->rebalancing; i++) {
            bool eof;
            int rc = eddy_task_round(p, kw->tasks[i], &eof);
            if (rc > 0)
                progress += rc;
        }
        int64_t now = eddy_now_ms();
        if (now >= kw->next_commit && p->err == 0) {
            commit(kw);
            kw->next_commit = now + p->opts.commit_interval_ms;
        }
        if (kw->index == 0 && r->metrics_ms > 0 && now >= r->next_summary) {
            summary(r, now);
            r->next_summary = now + r->metrics_ms;
        }
        idle = progress == 0;
    }
    /* Stopping: a last commit, then leave the group (its revoke flushes and drops tasks). */
    if (p->err == 0)
        commit(kw);
    rd_kafka_consumer_close(kw->consumer);
    drop_tasks(kw);
    if (r->o->exactly_once && p->err)
        rd_kafka_abort_transaction(kw->producer, 10000);
    rd_kafka_flush(kw->producer, 10000);
    eddy_func_safepoint_leave(); /* the rounds pinned a generation of reloadable functions */
    return NULL;
}

int eddy_kafka_run(eddy_pipeline *p)
{
    krun r = {.p = p, .o = p->opts.kafka};
    const char *mi = eddy_kprops_get(r.o->props, "metrics.interval.ms");
    r.metrics_ms = mi ? atoll(mi) : 10000;
    r.next_summary = eddy_now_ms() + r.metrics_ms;
    r.last_at = eddy_now_ms();
    if (prepare_topics(&r) || r.ninputs == 0) {
        if (p->err == 0)
            eddy_pipeline_fail(p, EDDY_EINVAL, "%s: nothing reads a topic: a Kafka run needs a "
                               "topic_source", p->graph->path);
        free(r.inputs);
        return p->err;
    }
    eddy_runtime_log(p, NULL, -1, EDDY_LOG_INFO,
                     "application '%s': %d input topic(s), %d worker thread(s)%s", r.o->app_id,
                     r.ninputs, p->opts.threads, r.o->exactly_once ? ", exactly-once" : "");
    int n = p->opts.threads;
    struct eddy_kworker *ws = calloc((size_t)n, sizeof *ws);
    if (!ws) {
        free(r.inputs);
        eddy_pipeline_fail(p, EDDY_ENOMEM, "out of memory");
        return p->err;
    }
    for (int i = 0; i < n; i++) {
        ws[i].run = &r;
        ws[i].index = i;
        if (n == 1)
            worker_main(&ws[i]);
        else
            pthread_create(&ws[i].thread, NULL, worker_main, &ws[i]);
    }
    for (int i = 0; n > 1 && i < n; i++)
        pthread_join(ws[i].thread, NULL);
    for (int i = 0; i < n; i++) {
        if (ws[i].consumer)
            rd_kafka_destroy(ws[i].consumer);
        if (ws[i].producer)
            rd_kafka_destroy(ws[i].producer);
        if (ws[i].restorer)
            rd_kafka_destroy(ws[i].restorer);
        free(ws[i].tasks);
        free(ws[i].queues);
        free(ws[i].keybuf);
        eddy_arena_destroy(ws[i].scratch);
        eddy_buf_free(&ws[i].kbuf);
        eddy_buf_free(&ws[i].vbuf);
        free(ws[i].xrecs);
    }
    free(ws);
    free(r.inputs);
    return p->err;
}

/* ------------------------------------------------------ fetch, produce */

/* Destroys the messages of the last fetch (their bytes were valid until now). */
static void drop_messages(eddy_fetch *f)
{
    for (int i = 0; i < f->nmsgs; i++)
        rd_kafka_message_destroy(f->msgs[i]);
    f->nmsgs = 0;
}

void eddy_kafka_fetch_release(eddy_fetch *f)
{
    drop_messages(f);
    free(f->msgs);
    f->msgs = NULL;
}

int eddy_kafka_fetch(eddy_op *op, eddy_fetch *f, eddy_topic_record *out, int max)
{
    drop_messages(f);
    struct eddy_kworker *kw = op->task->kw;
    if (max <= 0 || !kw)
        return 0;
    if (!f->queue) {
        for (int i = 0; i < kw->nqueues && !f->queue; i++)
            if (kw->queues[i].partition == op->task->partition && kw->queues[i].topic &&
                strcmp(kw->queues[i].topic, f->use->name) == 0)
                f->queue = kw->queues[i].q;
        if (!f->queue)
            return 0; /* this partition of that topic is not ours (other partition count) */
    }
    rd_kafka_message_t **msgs = realloc(f->msgs, (size_t)max * sizeof *msgs);
    if (!msgs)
        return EDDY_ENOMEM;
    f->msgs = (void **)msgs;
    ssize_t got = rd_kafka_consume_batch_queue(f->queue, 0, msgs, (size_t)max);
    if (got <= 0)
        return 0;
    f->nmsgs = (int)got;
    /* Headers: count them all first, so the array is not moved while records point in. */
    size_t nh = 0;
    for (ssize_t i = 0; i < got; i++) {
        rd_kafka_headers_t *h;
        if (!msgs[i]->err && rd_kafka_message_headers(msgs[i], &h) == 0)
            nh += rd_kafka_header_cnt(h);
    }
    if (nh > f->hcap) {
        eddy_header *v = realloc(f->hdrs, nh * sizeof *v);
        if (!v)
            return EDDY_ENOMEM;
        f->hdrs = v;
        f->hcap = nh;
    }
    const eddy_topic_use *u = f->use;
    int n = 0;
    size_t hi = 0;
    for (ssize_t i = 0; i < got; i++) {
        rd_kafka_message_t *m = msgs[i];
        if (m->err) {
            eddy_runtime_log(op->p, op->node->gn->id, op->task->id, EDDY_LOG_WARN,
                             "topic '%s': %s", u->name, rd_kafka_message_errstr(m));
            continue;
        }
        eddy_topic_record *tr = &out[n++];
        *tr = (eddy_topic_record){0};
        tr->key = m->key;
        tr->key_len = (uint32_t)m->key_len;
        tr->value = m->payload;
        tr->value_len = (uint32_t)m->len;
        tr->partition = m->partition;
        tr->offset = m->offset;
        rd_kafka_timestamp_type_t tt;
        tr->timestamp = rd_kafka_message_timestamp(m, &tt);
        if (tr->timestamp < 0)
            tr->timestamp = 0;
        rd_kafka_headers_t *h;
        if (rd_kafka_message_headers(m, &h) == 0) {
            tr->headers = &f->hdrs[hi];
            const char *name;
            const void *val;
            size_t vlen;
            for (size_t k = 0; rd_kafka_header_get_all(h, k, &name, &val, &vlen) == 0; k++)
                f->hdrs[hi++] = (eddy_header){name, (uint32_t)strlen(name), (uint32_t)vlen,
                                              val};
            tr->nheaders = (uint32_t)(&f->hdrs[hi] - tr->headers);
        }
        if (u->d.window != EDDY_TOPIC_UNWINDOWED && tr->key) {
            size_t inner;
            if (eddy_kafka_window_split(tr->key, tr->key_len,
                                        u->d.window == EDDY_TOPIC_SESSION_WINDOWED,
                                        u->d.window_size_ms, &inner, &tr->win_start,
                                        &tr->win_end) == 0) {
                tr->windowed = true;
                tr->key_len = (uint32_t)inner;
            }
        }
        f->next = m->offset + 1;
    }
    __atomic_add_fetch(&op->p->km.records_in, (uint64_t)n, __ATOMIC_RELAXED);
    if (op->task->partition >= 0 && op->task->partition < EDDY_TASK_METRICS)
        __atomic_add_fetch(&op->p->tm[op->task->partition].records_in, (uint64_t)n,
                           __ATOMIC_RELAXED);
    return n;
}

/* Produces one record (bytes copied), waiting for room when the producer's queue is full.
 * `extra` (may be NULL) is one more header after the record's. */
static int produce(eddy_op *op, struct eddy_kworker *kw, const char *topic, int32_t partition,
                   const uint8_t *key, size_t klen, const uint8_t *value, size_t vlen,
                   int64_t ts, const eddy_header *hdrs, uint32_t nh, const eddy_header *extra)
{
    for (;;) {
        rd_kafka_headers_t *h = NULL;
        if (nh || extra) {
            h = rd_kafka_headers_new(nh + 1);
            for (uint32_t i = 0; i <= nh; i++) {
                const eddy_header *e = i < nh ? &hdrs[i] : extra;
                if (e)
                    rd_kafka_header_add(h, e->key, (ssize_t)e->key_len, e->value,
                                        e->value ? (ssize_t)e->value_len : 0);
            }
        }
        rd_kafka_resp_err_t e = rd_kafka_producev(
            kw->producer, RD_KAFKA_V_TOPIC(topic),
            RD_KAFKA_V_PARTITION(partition >= 0 ? partition : RD_KAFKA_PARTITION_UA),
            RD_KAFKA_V_KEY(key, klen), RD_KAFKA_V_VALUE((void *)value, value ? vlen : 0),
            RD_KAFKA_V_TIMESTAMP(ts), RD_KAFKA_V_HEADERS(h),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (e == 0) {
            __atomic_add_fetch(&op->p->km.records_out, 1, __ATOMIC_RELAXED);
            int tp = op->task ? op->task->partition : -1;
            if (tp >= 0 && tp < EDDY_TASK_METRICS)
                __atomic_add_fetch(&op->p->tm[tp].records_out, 1, __ATOMIC_RELAXED);
            return 0;
        }
        if (h)
            rd_kafka_headers_destroy(h);
        if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL && op->p->err == 0) {
            rd_kafka_poll(kw->producer, 50); /* back-pressure: wait for acknowledgements */
            continue;
        }
        eddy_runtime_log(op->p, op->node->gn->id, op->task->id, EDDY_LOG_ERROR,
                         "cannot produce to topic '%s': %s", topic, rd_kafka_err2str(e));
        return EDDY_EIO;
    }
}

int eddy_kafka_produce(eddy_op *op, const eddy_topic_use *u, const eddy_topic_record *r)
{
    struct eddy_kworker *kw = op->task ? op->task->kw : NULL;
    if (!kw)
        return EDDY_ESTATE;
    const uint8_t *key = r->key;
    size_t klen = r->key_len;
    if (r->windowed && key) {
        if (kw->keycap < klen + 16) {
            uint8_t *b = realloc(kw->keybuf, klen + 16);
            if (!b)
                return EDDY_ENOMEM;
            kw->keybuf = b;
            kw->keycap = klen + 16;
        }
        bool session = u->d.window == EDDY_TOPIC_SESSION_WINDOWED;
        klen = eddy_kafka_window_key(key, klen, session, r->win_start, r->win_end, kw->keybuf);
        key = kw->keybuf;
    }
    return produce(op, kw, u->name, r->partition, key, klen, r->value, r->value_len,
                   r->timestamp, r->headers, r->nheaders, NULL);
}

/* ----------------------------------------------------- repartition topics */

/* A repartitioned record's value: what the row's JSON does not carry first (a version byte,
 * the record's flags, 4 bytes big-endian, and for a windowed record its window start and
 * end, 8 bytes each), then the row. Not a header: a header per record costs librdkafka an
 * allocation at each end. */
#define XROW_VERSION 1
int eddy_kafka_exchange_send(eddy_op *from, eddy_op *down, eddy_exchange *x, eddy_batch *b)
{
    struct eddy_kworker *kw = from->task->kw;
    if (!kw->scratch && !(kw->scratch = eddy_arena_new(0)))
        return EDDY_ENOMEM;
    eddy_value keys[16];
    if (x->nkeys > 16)
        return EDDY_EINVAL;
    char why[EDDY_ERRSTR_SIZE];
    for (uint32_t i = 0; i < b->n; i++) {
        const eddy_record *r = &b->recs[i];
        eddy_arena_reset(kw->scratch);
        int rc = 0;
        for (int k = 0; k < x->nkeys && rc == 0; k++) {
            why[0] = '\0';
            rc = eddy_op_eval(down, x->keys[k], r, kw->scratch, &keys[k], why, sizeof why);
        }
        if (rc) {
            eddy_op_record_error(down, r, NULL, 0, rc, why[0] ? why : "cannot compute the key");
            continue;
        }
        eddy_record kr = {.cols = keys};
        kw->kbuf.len = kw->vbuf.len = 0;
        int kr_rc = eddy_serde_encode(x->key_serde, &kr, &kw->kbuf, why, sizeof why);
        uint8_t meta[21] = {XROW_VERSION, (uint8_t)(r->flags >> 24), (uint8_t)(r->flags >> 16),
                            (uint8_t)(r->flags >> 8), (uint8_t)r->flags};
        size_t mlen = 5;
        if (r->flags & EDDY_REC_WINDOWED) {
            eddy_kafka_put_be64(meta + 5, r->win_start);
            eddy_kafka_put_be64(meta + 13, r->win_end);
            mlen = 21;
        }
        if (eddy_buf_append(&kw->vbuf, meta, mlen))
            return EDDY_ENOMEM;
        eddy_record row = *r;
        row.flags &= ~(uint32_t)EDDY_REC_TOMBSTONE; /* the columns travel; the flag aside */
        int vr = kr_rc < 0 ? kr_rc : eddy_serde_encode(x->row_serde, &row, &kw->vbuf, why, sizeof why);
        if (kr_rc < 0 || vr < 0) {
            if ((kr_rc < 0 ? kr_rc : vr) == EDDY_ENOMEM)
                return EDDY_ENOMEM;
            eddy_op_record_error(down, r, NULL, 0, kr_rc < 0 ? kr_rc : vr, why);
            continue;
        }
        const uint8_t *key = kr_rc == EDDY_SERDE_NULL ? NULL : (const uint8_t *)(kw->kbuf.data ? kw->kbuf.data : "");
        rc = produce(from, kw, x->use.name, -1, key, key ? kw->kbuf.len : 0,
                     (const uint8_t *)(kw->vbuf.data ? kw->vbuf.data : ""), kw->vbuf.len,
                     r->rowtime, r->headers, r->nheaders, NULL);
        if (rc)
            return rc;
    }
    return 0;
}

static const uint8_t *keep(eddy_batch *b, const void *p, size_t n)
{
    if (!p)
        return NULL;
    uint8_t *c = eddy_arena_alloc(b->arena, n ? n : 1);
    if (c && n)
        memcpy(c, p, n);
    return c;
}

/* Decodes one repartitioned record into `b` (1), or logs it (0). */
static int exchange_decode(eddy_op *op, eddy_exchange *x, eddy_batch *b,
                           const eddy_topic_record *tr)
{
    eddy_record *r = eddy_batch_append(b);
    if (!r)
        return EDDY_ENOMEM;
    r->rowtime = tr->timestamp;
    r->origin = (eddy_origin){x->use.name, tr->partition, tr->offset};
    const uint8_t *m = tr->value;
    size_t mlen = 5;
    if (m && tr->value_len >= 5 && m[0] == XROW_VERSION) {
        r->flags = (uint32_t)m[1] << 24 | (uint32_t)m[2] << 16 | (uint32_t)m[3] << 8 | m[4];
        if (r->flags & EDDY_REC_WINDOWED) {
            mlen = 21;
            if (tr->value_len >= mlen) {
                r->win_start = eddy_kafka_get_be64(m + 5);
                r->win_end = eddy_kafka_get_be64(m + 13);
            }
        }
    }
    if (!m || tr->value_len < mlen || m[0] != XROW_VERSION) {
        eddy_op_record_error(op, r, tr->value, tr->value_len, EDDY_EPARSE,
                             "not a record of eddy's repartition format");
        b->n--;
        return 0;
    }
    const uint8_t *v = keep(b, m + mlen, tr->value_len - mlen);
    if (!v)
        return EDDY_ENOMEM;
    uint32_t flags = r->flags;
    char why[EDDY_ERRSTR_SIZE] = "";
    int rc = eddy_serde_decode(x->row_serde, v, tr->value_len - mlen, r, b->arena, why,
                               sizeof why);
    if (rc) {
        if (rc == EDDY_ENOMEM)
            return rc;
        eddy_op_record_error(op, r, tr->value, tr->value_len, rc, why);
        b->n--;
        return 0;
    }
    r->flags = flags; /* the decode's own tombstone rule does not apply: the flag traveled */
    if (tr->nheaders) {
        eddy_header *h = eddy_arena_alloc(b->arena, tr->nheaders * sizeof *h);
        if (!h)
            return EDDY_ENOMEM;
        for (uint32_t i = 0; i < tr->nheaders; i++) {
            h[i] = tr->headers[i];
            h[i].key = (const char *)keep(b, tr->headers[i].key, tr->headers[i].key_len);
            h[i].value = keep(b, tr->headers[i].value, tr->headers[i].value_len);
        }
        r->headers = h;
        r->nheaders = tr->nheaders;
    }
    return 1;
}

int eddy_kafka_exchange_poll(eddy_pipeline *p, eddy_task *t, int max)
{
    struct eddy_kworker *kw = t->kw;
    if (kw->xcap < max) {
        eddy_topic_record *v = realloc(kw->xrecs, (size_t)max * sizeof *v);
        if (!v)
            return EDDY_ENOMEM;
        kw->xrecs = v;
        kw->xcap = max;
    }
    int delivered = 0;
    for (int i = 0; i < p->nnodes; i++) {
        eddy_op *op = &t->ops[i];
        for (int k = 0; k < op->node->nxch && op->created; k++) {
            eddy_exchange *x = &op->node->xch[k];
            eddy_fetch *f = eddy_op_fetch_state(op, &x->use);
            if (!f)
                return EDDY_ENOMEM;
            /* Drain what has arrived (up to 16 batches): the repartition topic must not
             * fall behind the sources that feed it, or the broker's retention may pass it. */
            for (int round = 0; round < 16; round++) {
            int n = eddy_kafka_fetch(op, f, kw->xrecs, max);
            if (n <= 0)
                break;
            eddy_batch *b = eddy_batch_new(t->pool, op->node->inputs[x->port], (uint32_t)n);
            if (!b)
                return EDDY_ENOMEM;
            int rc = 0;
            for (int j = 0; j < n && rc >= 0; j++)
                rc = exchange_decode(op, x, b, &kw->xrecs[j]);
            for (uint32_t j = 0; j < b->n; j++)
                if (b->recs[j].rowtime > t->stream_time)
                    t->stream_time = b->recs[j].rowtime;
            if (rc >= 0 && b->n) {
                __atomic_add_fetch(&op->node->records_in, b->n, __ATOMIC_RELAXED);
                rc = op->node->plugin->desc.process(op, op->state, x->port, b);
                if (rc)
                    eddy_pipeline_fail(p, rc, "node '%s' (task %d): process failed: %s",
                                       op->node->gn->id, t->id, eddy_strerror(rc));
            }
            eddy_batch_release(b);
            if (rc < 0)
                return rc;
            delivered += n;
            if (n < max)
                break;
            }
        }
    }
    return delivered;
}

/* ------------------------------------------------------------ changelogs */

int eddy_kafka_store_put(eddy_op *op, int store, const uint8_t *key, size_t klen,
                         const uint8_t *value, size_t vlen)
{
    struct eddy_kworker *kw = op->task->kw;
    __atomic_add_fetch(&op->p->km.changelog_writes, 1, __ATOMIC_RELAXED);
    return produce(op, kw, op->node->changelogs[store], op->task->partition, key, klen, value,
                   vlen, 0, NULL, 0, NULL);
}

int eddy_kafka_store_restore(eddy_op *op, int store,
                             int (*cb)(void *, const uint8_t *, size_t, const uint8_t *, size_t),
                             void *opaque)
{
    struct eddy_kworker *kw = op->task->kw;
    eddy_pipeline *p = op->p;
    const char *topic = op->node->changelogs[store];
    int32_t part = op->task->partition;
    if (!kw->restorer) {
        /* Kafka Streams' restore consumer: no group, positions given. */
        if (new_client(kw->run, EDDY_KCLIENT_CONSUMER, NULL, &kw->restorer))
            return p->err;
    }
    int64_t lo = 0, hi = 0;
    rd_kafka_resp_err_t e;
    for (int attempt = 0;; attempt++) {
        e = rd_kafka_query_watermark_offsets(kw->restorer, topic, part, &lo, &hi, 10000);
        if (e == 0 || p->stop || attempt == 5)
            break;
        eddy_runtime_log(p, op->node->gn->id, op->task->id, EDDY_LOG_WARN,
                         "changelog %s[%d]: %s; retrying", topic, (int)part, rd_kafka_err2str(e));
    }
    if (e) {
        eddy_runtime_log(p, op->node->gn->id, op->task->id, EDDY_LOG_ERROR,
                         "cannot restore from changelog %s[%d]: %s", topic, (int)part,
                         rd_kafka_err2str(e));
        return EDDY_EIO;
    }
    if (hi <= lo)
        return 0;
    int64_t t0 = eddy_now_ms();
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, part)->offset = lo;
    rd_kafka_assign(kw->restorer, l);
    rd_kafka_topic_partition_list_destroy(l);
    int64_t n = 0, next = lo, last_progress = eddy_now_ms();
    int rc = 0;
    while (next < hi && rc == 0 && !p->stop) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(kw->restorer, 200);
        if (!m) {
            if (eddy_now_ms() - last_progress > 60000) {
                eddy_runtime_log(p, op->node->gn->id, op->task->id, EDDY_LOG_ERROR,
                                 "changelog %s[%d]: no progress for 60 s at offset %lld of %lld",
                                 topic, (int)part, (long long)next, (long long)hi);
                rc = EDDY_EIO;
            }
            continue;
        }
        if (!m->err && m->partition == part) {
            last_progress = eddy_now_ms();
            rc = cb(opaque, m->key, m->key_len, m->payload, m->payload ? m->len : 0);
            next = m->offset + 1;
            n++;
            if (n % 100000 == 0)
                eddy_runtime_log(p, op->node->gn->id, op->task->id, EDDY_LOG_INFO,
                                 "restoring %s[%d]: %lld of %lld", topic, (int)part,
                                 (long long)(next - lo), (long long)(hi - lo));
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_assign(kw->restorer, NULL);
    eddy_runtime_log(p, op->node->gn->id, op->task->id, EDDY_LOG_INFO,
                     "restored %lld change(s) from %s[%d] in %lld ms", (long long)n, topic,
                     (int)part, (long long)(eddy_now_ms() - t0));
    return rc;
}
