package dev.agentry.server.work;

import dev.agentry.agents.gateway.GatewayProxy;
import dev.agentry.core.engine.SpendLedger;
import dev.agentry.core.policy.Action;
import dev.agentry.core.policy.PolicyEngine;
import dev.agentry.core.policy.Verdict;
import dev.agentry.core.spend.BudgetScope;
import dev.agentry.core.spend.CallScope;
import dev.agentry.core.spend.Prices;
import dev.agentry.core.spend.Usage;
import java.math.BigDecimal;
import java.util.Optional;

/**
 * The workspace's policy on spend, asked by the gateway before every model call: what the run spent so far
 * ({@code spend-run}) and what this call may cost ({@code spend-call}, estimated from the prompt's size at the
 * model's input price, about four bytes a token). A call the policy denies, or that needs approval, does not
 * leave: the gateway cannot hold an agent's call open for days, so it refuses it with the reason (403).
 */
public final class ModelCallPolicy implements GatewayProxy.CallPolicy {
    private final PolicyEngine policy;
    private final SpendLedger ledger;
    private final Prices prices;

    public ModelCallPolicy(PolicyEngine policy, SpendLedger ledger, Prices prices) {
        this.policy = policy;
        this.ledger = ledger;
        this.prices = prices;
    }

    @Override
    public Optional<String> refusal(CallScope scope, String model, int promptBytes) {
        var context = new Action.Context(scope.workspace(), scope.runId(), scope.stepId(), null, null);
        BigDecimal estimate = prices.of(model).map(p -> p.cost(new Usage(promptBytes / 4, 0, 0, 0))).orElse(BigDecimal.ZERO);
        for (Action action : new Action[] {new Action.SpendRun(context, ledger.spent(BudgetScope.run(scope.runId()))),
                new Action.SpendCall(context, model, estimate)}) {
            var decision = policy.decide(scope.workspace(), action);
            if (decision.verdict() != Verdict.ALLOW) {
                return Optional.of((decision.verdict() == Verdict.DENY ? "denied" : "needs a human's approval, which a model call cannot wait for;")
                        + " by policy v" + decision.policyVersion() + ", rule " + decision.rule() + ": " + action.kind()
                        + (decision.reason() == null ? "" : " (" + decision.reason() + ")"));
            }
        }
        return Optional.empty();
    }
}
