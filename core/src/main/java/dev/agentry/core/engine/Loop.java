package dev.agentry.core.engine;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A background duty that runs on its own thread: once per wake-up, and at least once per interval.
 * Waiting costs no CPU; {@link #wake} from a signal makes it run at once.
 */
public abstract class Loop implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Loop.class);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition woken = lock.newCondition();
    private boolean pending;
    private volatile boolean stopping;
    private Thread thread;

    /** Does one round of work; returns how long to wait before the next round unless woken. */
    protected abstract Duration runOnce();

    public final void start(String name) {
        thread = Thread.ofPlatform().daemon().name(name).start(this);
    }

    public final void wake() {
        lock.lock();
        try {
            pending = true;
            woken.signal();
        } finally {
            lock.unlock();
        }
    }

    public final void stop() {
        stopping = true;
        wake();
    }

    public final void join(Duration timeout) throws InterruptedException {
        if (thread != null) {
            thread.join(timeout.toMillis());
        }
    }

    @Override
    public final void run() {
        Duration wait = Duration.ZERO;
        while (!stopping) {
            lock.lock();
            try {
                long nanos = wait.toNanos();
                while (!pending && !stopping && nanos > 0) {
                    nanos = woken.awaitNanos(nanos);
                }
                pending = false;
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            if (stopping) {
                return;
            }
            try {
                wait = runOnce();
            } catch (RuntimeException e) {
                log.warn("{} failed, trying again shortly: {}", getClass().getSimpleName(), e.toString());
                wait = Duration.ofSeconds(1);
            }
        }
    }
}
