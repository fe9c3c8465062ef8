package dev.agentry.core.engine;

/**
 * A step that cannot be executed as written now (a repository or secret it names is gone, the pull request it
 * acts on was never opened): its attempt fails with this message.
 */
final class StepRefused extends Exception {
    StepRefused(String message) {
        super(message);
    }
}
