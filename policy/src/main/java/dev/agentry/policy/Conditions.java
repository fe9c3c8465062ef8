package dev.agentry.policy;

import dev.agentry.core.pipeline.Problem;
import dev.agentry.core.policy.Action;
import dev.agentry.core.policy.ActionKinds;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelSourceLocation;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelVariableResolver;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The CEL environment conditions are written in: two variables, {@code action} and {@code run}, both maps from
 * attribute name to value, the standard functions and macros ({@code has}, {@code exists}, ...) and the string
 * extensions ({@code lowerAscii}, {@code split}, ...). Numbers of different types compare
 * ({@code action.estimatedUsd > 5}); regular expressions are RE2, which runs in linear time whatever the pattern.
 *
 * <p>Declaring the variables as maps keeps one environment for every kind of action; the price is that
 * {@code action.comand} type-checks. {@link #compile} therefore also refuses attribute names no action or run has,
 * and kinds that do not exist in comparisons with {@code action.kind}, so a typo cannot make a rule that never
 * matches.
 */
final class Conditions {
    /** Longer conditions are a policy written in the wrong place; the bound also bounds the compiler's work. */
    static final int MAX_LENGTH = 4_096;

    private static final Cel CEL = CelFactory.standardCelBuilder()
            .setOptions(CelOptions.current()
                    .enableHeterogeneousNumericComparisons(true)
                    .comprehensionMaxIterations(10_000)
                    .maxExpressionCodePointSize(MAX_LENGTH)
                    .build())
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addCompilerLibraries(CelExtensions.strings())
            .addRuntimeLibraries(CelExtensions.strings())
            .addVar("action", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .addVar("run", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .build();

    private static final Set<String> RUN_ATTRIBUTES = Set.copyOf(ActionKinds.RUN_ATTRIBUTES);
    private static final Set<String> KINDS = Set.copyOf(ActionKinds.names());

    private Conditions() {}

    /**
     * A compiled condition, and the kinds of action it can hold for when it says so at its top
     * ({@code action.kind == "git-push" && ...}); null when it may hold for any kind.
     */
    record Condition(CelRuntime.Program program, Set<String> kinds) {}

    /**
     * Compiles one condition to a program, or adds every problem found to {@code problems} under {@code field},
     * each with its position in the expression (line and column, from 1).
     */
    static Optional<Condition> compile(String expression, String field, List<Problem> problems) {
        int before = problems.size();
        CelValidationResult result = CEL.compile(expression);
        if (result.hasError()) {
            for (CelIssue issue : result.getErrors()) {
                // every name is looked up in the empty container, so saying so only adds noise
                String message = issue.getMessage().replace(" (in container '')", "");
                problems.add(new Problem(field, "not a valid condition, " + position(issue.getSourceLocation()) + message));
            }
            return Optional.empty();
        }
        CelAbstractSyntaxTree ast;
        try {
            ast = result.getAst();
        } catch (CelValidationException e) { // hasError() was false: cannot happen
            throw new IllegalStateException(e);
        }
        CelKind type = ast.getResultType().kind();
        // dyn is accepted: `action.insideTree` is a bool at run time; anything else there counts as an evaluation error
        if (type != CelKind.BOOL && type != CelKind.DYN) {
            problems.add(new Problem(field, "a condition must be true or false, but this expression gives a value of type "
                    + ast.getResultType().name()));
        }
        checkNames(ast, field, problems);
        if (problems.size() > before) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Condition(CEL.createProgram(ast), kinds(ast.getExpr())));
        } catch (CelEvaluationException e) {
            problems.add(new Problem(field, "the condition cannot be prepared for evaluation: " + e.getMessage()));
            return Optional.empty();
        }
    }

    /**
     * What one decision's conditions see: built once per decision and shared by every rule. A resolver rather than a
     * map, because evaluating with a map copies it on every evaluation, once per rule.
     */
    static CelVariableResolver variables(Action action) {
        var fields = action.attributes();
        var actionMap = new HashMap<String, Object>(fields.size() + 1);
        fields.forEach((name, value) -> actionMap.put(name, celValue(value)));
        actionMap.put("kind", action.kind());
        var runMap = new HashMap<String, Object>(8);
        action.context().attributes().forEach((name, value) -> runMap.put(name, celValue(value)));
        Optional<Object> actionValue = Optional.of(actionMap);
        Optional<Object> runValue = Optional.of(runMap);
        return name -> switch (name) {
            case "action" -> actionValue;
            case "run" -> runValue;
            default -> Optional.empty();
        };
    }

    /** A Java null in a map reads as an unknown in CEL, which no comparison resolves; CEL's null compares as expected. */
    private static Object celValue(Object value) {
        return value == null ? NullValue.NULL_VALUE : value;
    }

    private static void checkNames(CelAbstractSyntaxTree ast, String field, List<Problem> problems) {
        CelNavigableAst.fromAst(ast).getRoot().allNodes().forEach(node -> {
            CelExpr expr = node.expr();
            switch (expr.exprKind().getKind()) {
                case SELECT -> {
                    String variable = identName(expr.select().operand());
                    String name = expr.select().field();
                    if ("action".equals(variable) && !ActionKinds.allAttributeNames().contains(name)) {
                        problems.add(new Problem(field, position(ast, expr, 1) + "no action has an attribute '" + name
                                + "'; attributes are kind, " + String.join(", ", attributeList())));
                    } else if ("run".equals(variable) && !RUN_ATTRIBUTES.contains(name)) {
                        problems.add(new Problem(field, position(ast, expr, 1) + "run has no attribute '" + name + "'; it has "
                                + String.join(", ", ActionKinds.RUN_ATTRIBUTES)));
                    }
                }
                case CALL -> checkKindComparison(ast, expr, field, problems);
                default -> { }
            }
        });
    }

    /**
     * The kinds a condition can hold for, from the conjuncts at its top that compare {@code action.kind} with
     * literals; null when they do not narrow it. Skipping a rule for any other kind is exactly what evaluating it
     * would do: a false conjunct makes CEL's {@code &&} false, even when another conjunct is an error.
     */
    private static Set<String> kinds(CelExpr expr) {
        if (expr.exprKind().getKind() != CelExpr.ExprKind.Kind.CALL) {
            return null;
        }
        String function = expr.call().function();
        List<CelExpr> args = expr.call().args();
        if (function.equals("_&&_")) {
            Set<String> narrowed = null;
            for (CelExpr arg : args) {
                Set<String> kinds = kinds(arg);
                if (kinds != null) {
                    narrowed = narrowed == null ? kinds : narrowed.stream().filter(kinds::contains).collect(Collectors.toUnmodifiableSet());
                }
            }
            return narrowed;
        }
        if (args.size() != 2) {
            return null;
        }
        List<CelExpr> literals;
        if (function.equals("_==_")) {
            literals = isActionKind(args.get(0)) ? List.of(args.get(1)) : isActionKind(args.get(1)) ? List.of(args.get(0)) : null;
        } else if (function.equals("@in") && isActionKind(args.get(0)) && args.get(1).exprKind().getKind() == CelExpr.ExprKind.Kind.LIST) {
            literals = args.get(1).list().elements();
        } else {
            literals = null;
        }
        if (literals == null || !literals.stream().allMatch(Conditions::isString)) {
            return null;
        }
        return literals.stream().map(l -> l.constant().stringValue()).collect(Collectors.toUnmodifiableSet());
    }

    private static boolean isString(CelExpr expr) {
        return expr.exprKind().getKind() == CelExpr.ExprKind.Kind.CONSTANT && expr.constant().getKind() == CelConstant.Kind.STRING_VALUE;
    }

    /** {@code action.kind == "git-psh"} would never hold: name the kinds instead. */
    private static void checkKindComparison(CelAbstractSyntaxTree ast, CelExpr call, String field, List<Problem> problems) {
        String function = call.call().function();
        List<CelExpr> args = call.call().args();
        if (args.size() != 2) {
            return;
        }
        List<CelExpr> literals;
        if (function.equals("_==_") || function.equals("_!=_")) {
            literals = isActionKind(args.get(0)) ? List.of(args.get(1)) : isActionKind(args.get(1)) ? List.of(args.get(0)) : List.of();
        } else if (function.equals("@in") && isActionKind(args.get(0))
                && args.get(1).exprKind().getKind() == CelExpr.ExprKind.Kind.LIST) {
            literals = args.get(1).list().elements();
        } else {
            return;
        }
        for (CelExpr literal : literals) {
            if (literal.exprKind().getKind() == CelExpr.ExprKind.Kind.CONSTANT
                    && literal.constant().getKind() == CelConstant.Kind.STRING_VALUE
                    && !KINDS.contains(literal.constant().stringValue())) {
                problems.add(new Problem(field, position(ast, literal, 0) + "no action is of kind '" + literal.constant().stringValue()
                        + "'; kinds are " + String.join(", ", ActionKinds.names())));
            }
        }
    }

    private static boolean isActionKind(CelExpr expr) {
        return expr.exprKind().getKind() == CelExpr.ExprKind.Kind.SELECT && "action".equals(identName(expr.select().operand()))
                && expr.select().field().equals("kind");
    }

    private static String identName(CelExpr expr) {
        return expr.exprKind().getKind() == CelExpr.ExprKind.Kind.IDENT ? expr.ident().name() : null;
    }

    private static List<String> attributeList() {
        return ActionKinds.allAttributeNames().stream().filter(n -> !n.equals("kind")).sorted().toList();
    }

    /** Where {@code expr} is written; a field selection is placed at its '.', so {@code shift} 1 names the field itself. */
    private static String position(CelAbstractSyntaxTree ast, CelExpr expr, int shift) {
        Integer offset = ast.getSource().getPositionsMap().get(expr.id());
        return offset == null ? "" : ast.getSource().getOffsetLocation(offset + shift).map(Conditions::position).orElse("");
    }

    /** CEL counts lines from 1 and columns from 0; people count both from 1. */
    private static String position(CelSourceLocation location) {
        return location == null || location.equals(CelSourceLocation.NONE) ? ""
                : "at line " + location.getLine() + ", column " + (location.getColumn() + 1) + ": ";
    }
}
