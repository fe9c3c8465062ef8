package dev.agentry.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The named statements of one table, read from {@code sql/<table>.sql}. Each statement starts with a
 * {@code -- name: EntityVerb} line and uses {@code :param} placeholders, which are always bound, never
 * pasted in. Keeping the SQL in files means a reviewer reads the real statements and can EXPLAIN them.
 */
final class Sql {
    private static final Pattern NAME = Pattern.compile("^--\\s*name:\\s*(\\w+)\\s*$", Pattern.MULTILINE);
    private static final Pattern PARAM = Pattern.compile("(?<![:\\w]):([a-z_][a-z0-9_]*)");

    /** A statement with its placeholders turned into JDBC's {@code ?} and their names in order. */
    record Statement(String name, String jdbc, List<String> params) {}

    private final Map<String, Statement> statements = new HashMap<>();

    private Sql(String file, String text) {
        Matcher m = NAME.matcher(text);
        List<int[]> bounds = new ArrayList<>();
        List<String> names = new ArrayList<>();
        while (m.find()) {
            bounds.add(new int[] {m.start(), m.end()});
            names.add(m.group(1));
        }
        for (int i = 0; i < names.size(); i++) {
            int end = i + 1 < bounds.size() ? bounds.get(i + 1)[0] : text.length();
            String body = text.substring(bounds.get(i)[1], end).strip();
            // A :name in a comment would become a ? that JDBC does not count as a parameter.
            for (String line : body.lines().toList()) {
                if (line.stripLeading().startsWith("--") && PARAM.matcher(line).find()) {
                    throw new IllegalStateException(file + ": a comment in " + names.get(i) + " looks like a parameter: " + line.strip());
                }
            }
            var params = new ArrayList<String>();
            Matcher p = PARAM.matcher(body);
            var jdbc = new StringBuilder();
            while (p.find()) {
                params.add(p.group(1));
                p.appendReplacement(jdbc, "?");
            }
            p.appendTail(jdbc);
            if (statements.put(names.get(i), new Statement(names.get(i), jdbc.toString(), List.copyOf(params))) != null) {
                throw new IllegalStateException(file + " names two statements " + names.get(i));
            }
        }
    }

    static Sql load(String table) {
        String file = "sql/" + table + ".sql";
        try (InputStream in = Sql.class.getClassLoader().getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + file);
            }
            return new Sql(file, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Statement get(String name) {
        Statement s = statements.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no statement " + name);
        }
        return s;
    }

    /** Prepares {@code name} with its parameters bound from {@code values} (every placeholder must have one). */
    PreparedStatement prepare(Connection connection, String name, Map<String, ?> values) throws SQLException {
        Statement s = get(name);
        PreparedStatement ps = connection.prepareStatement(s.jdbc());
        try {
            for (int i = 0; i < s.params().size(); i++) {
                String param = s.params().get(i);
                if (!values.containsKey(param)) {
                    throw new IllegalArgumentException(name + " needs a value for :" + param);
                }
                bind(connection, ps, i + 1, values.get(param));
            }
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
        return ps;
    }

    /** Reads one row into a value. */
    @FunctionalInterface
    interface Row<T> {
        T read(java.sql.ResultSet rs) throws SQLException;
    }

    /** Runs query {@code name} and reads every row it returns. */
    <T> List<T> list(Connection connection, String name, Map<String, ?> values, Row<T> row) throws SQLException {
        var rows = new ArrayList<T>();
        try (var ps = prepare(connection, name, values); var rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.add(row.read(rs));
            }
        }
        return rows;
    }

    /** One column of rows built for an array statement ({@code unnest(:a, :b, ...)}), as the array to bind. */
    @SuppressWarnings("unchecked")
    static <T> T[] column(List<Object[]> rows, int index, java.util.function.IntFunction<T[]> array) {
        T[] out = array.apply(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            out[i] = (T) rows.get(i)[index];
        }
        return out;
    }

    static Map<String, Object> params(Object... pairs) {
        var map = new HashMap<String, Object>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], pairs[i + 1]);
        }
        return map;
    }

    private static void bind(Connection connection, PreparedStatement ps, int index, Object value) throws SQLException {
        switch (value) {
            case null -> ps.setNull(index, Types.NULL);
            case Instant instant -> ps.setObject(index, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
            case Long[] longs -> ps.setArray(index, array(connection, "int8", longs));
            case long[] longs -> ps.setArray(index, array(connection, "int8", java.util.Arrays.stream(longs).boxed().toArray()));
            case Integer[] ints -> ps.setArray(index, array(connection, "int4", ints));
            case String[] strings -> ps.setArray(index, array(connection, "text", strings));
            default -> ps.setObject(index, value);
        }
    }

    private static Array array(Connection connection, String type, Object[] values) throws SQLException {
        return connection.createArrayOf(type, values);
    }
}
