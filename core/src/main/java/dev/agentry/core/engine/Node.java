package dev.agentry.core.engine;

import dev.agentry.core.event.EventLog;
import dev.agentry.core.event.SequenceEvents;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One process's share of executing runs: it claims steps, executes them, records their outcomes, keeps
 * its leases alive, streams its commands' output, expires other nodes' dead leases, fires due timers and
 * gives committed events their ids. Any number of nodes can share
 * one database.
 */
public final class Node implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Node.class);

    private final NodeSettings settings;
    private final Completer completer;
    private final Dispatcher dispatcher;
    private final RenewLeases renewLeases;
    private final ExpireLeases expireLeases;
    private final FireTimers fireTimers;
    private final StreamOutput output;
    private final SequenceEvents sequencer;
    /**
     * Completion transactions run on this many threads at once: while one waits on PostgreSQL (a round
     * trip, a commit) another is building its batch, which keeps both the database and the JVM busy.
     */
    private static final int COMPLETERS = 2;

    private final java.util.List<Thread> completerThreads = new java.util.ArrayList<>();

    public Node(NodeSettings settings, Engine engine, RunStore runs, PipelineStore pipelines, EventLog events,
                Signals signals, Integrations integrations, Clock clock) {
        this.settings = settings;
        Dispatcher[] self = new Dispatcher[1];
        this.completer = new Completer(engine::complete, outcomes -> self[0].released(outcomes));
        this.output = new StreamOutput(events);
        this.dispatcher = new Dispatcher(settings, runs, pipelines, completer, output, integrations, clock);
        output.watch(dispatcher.running);
        this.sequencer = new SequenceEvents(events, () -> signals.raise(RunStore.Signal.EVENTS_SEQUENCED));
        signals.subscribe(RunStore.Signal.EVENTS_WRITTEN, sequencer::wake);
        self[0] = dispatcher;
        this.renewLeases = new RenewLeases(settings, runs, dispatcher, clock);
        this.expireLeases = new ExpireLeases(settings, runs, engine, clock);
        this.fireTimers = new FireTimers(settings, runs, engine, dispatcher, clock);
        signals.subscribe(RunStore.Signal.WORK_READY, dispatcher::wake);
        signals.subscribe(RunStore.Signal.TIMERS_CHANGED, fireTimers::wake);
        signals.subscribe(RunStore.Signal.RUNS_CANCELED, renewLeases::wake);
    }

    public Node start() {
        for (int i = 0; i < COMPLETERS; i++) {
            completerThreads.add(Thread.ofPlatform().daemon().name("agentry-completer-" + i).start(completer));
        }
        dispatcher.start("agentry-dispatcher");
        renewLeases.start("agentry-renew-leases");
        expireLeases.start("agentry-expire-leases");
        fireTimers.start("agentry-timers");
        output.start("agentry-step-output");
        sequencer.start("agentry-sequence-events");
        log.info("node {} executing up to {} steps at once, lease {}", settings.name(), settings.slots(),
                dev.agentry.core.pipeline.Durations.format(settings.lease()));
        return this;
    }

    public String name() {
        return settings.name();
    }

    /** How many attempts this node is executing now. */
    public int inFlight() {
        return dispatcher.running.size();
    }

    /**
     * Stops claiming, lets attempts in flight finish for up to {@code grace}, records their outcomes, then
     * stops. Attempts still running after that are stopped; their leases expire and other nodes retry them.
     */
    public void stop(Duration grace) {
        dispatcher.stop();
        fireTimers.stop();
        expireLeases.stop();
        long deadline = System.nanoTime() + grace.toNanos();
        while (!dispatcher.running.isEmpty() && System.nanoTime() < deadline) {
            sleep(20);
        }
        // Jobs on remote pools go on: the retry of each attempt adopts its job by id.
        dispatcher.running.keySet().forEach(ref -> dispatcher.lose(ref, false));
        renewLeases.stop();
        output.stop();
        completer.stop();
        try {
            for (Thread t : completerThreads) {
                t.join(5_000);
            }
            dispatcher.join(Duration.ofSeconds(2));
            sequencer.wake(); // the last outcomes' events
            sequencer.stop();
            sequencer.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
