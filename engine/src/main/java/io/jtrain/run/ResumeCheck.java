package io.jtrain.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.jtrain.job.JobException;
import io.jtrain.job.JobSpec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Resume means the same run. The job a resume asks for is compared with the job the run recorded, key by
 * job-file path. Execution keys ({@code training.device}, {@code training.eval_batch_size},
 * {@code data.dir}, {@code output}) may change, with one line saying that bit-identity is then not promised;
 * {@code training.epochs} may grow (the schedule keeps the horizon it was planned with). Any other difference
 * — the learning rate, the seed, the data, the schedule, early stopping — is refused (exit 2), naming each key
 * with both values, unless {@code allowed} names it; allowed changes are recorded in run.json.
 */
final class ResumeCheck {
    static final Set<String> EXECUTION = Set.of("training.device", "training.eval_batch_size", "data.dir", "output");

    private ResumeCheck() { }

    /** The job to resume with, the allowed job changes and the changed execution keys (path → {run, now}). */
    record Outcome(JobSpec job, Map<String, String[]> changes, Map<String, String[]> execution) { }

    static Outcome compare(JobSpec recorded, JobSpec requested, Set<String> allowed) {
        Map<String, String> a = flatten(recorded.toTree());
        Map<String, String> b = flatten(requested.toTree());
        Map<String, String[]> changes = new LinkedHashMap<>();
        Map<String, String[]> execution = new LinkedHashMap<>();
        List<String> refused = new ArrayList<>();
        Map<String, String> apply = new LinkedHashMap<>();
        for (String key : union(a, b)) {
            String was = a.getOrDefault(key, "null");
            String now = b.getOrDefault(key, "null");
            if (was.equals(now) || key.equals("schedule.epochs") && now.equals("null")) {
                continue;
            }
            if (EXECUTION.contains(key)) {
                if (!key.equals("output")) {
                    execution.put(key, new String[] {was, now});
                    apply.put(key, now);
                }
            } else if (key.equals("training.epochs") && number(now) > number(was) && !allowed.contains(key)) {
                apply.put(key, now);
                changes.put(key, new String[] {was, now});
            } else if (allowed.contains(key)) {
                changes.put(key, new String[] {was, now});
                apply.put(key, now);
            } else {
                refused.add(key + ": " + was + " (run) vs " + now);
            }
        }
        if (!refused.isEmpty()) {
            throw new JobException("--resume continues the run as it was recorded, but the job asks for other "
                + "values: " + String.join(", ", refused) + "; resume without changing them (jtrain train --out DIR "
                + "--resume, no job file needed), or allow them with --allow-changes "
                + String.join(",", refused.stream().map(r -> r.substring(0, r.indexOf(':'))).toList()));
        }
        for (String k : allowed) {
            if (!changes.containsKey(k) && !a.containsKey(k)) {
                throw new JobException("--allow-changes " + k + ": not a job-file key path (e.g. optimizer.lr)");
            }
        }
        JobSpec job = recorded;
        if (apply.containsKey("training.epochs") && recorded.schedule().epochs() == null) {
            apply.put("schedule.epochs", Integer.toString(recorded.training().epochs()));
        }
        if (!apply.isEmpty()) {
            job = recorded.with(apply);
        }
        return new Outcome(job, changes, execution);
    }

    private static double number(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static List<String> union(Map<String, String> a, Map<String, String> b) {
        List<String> keys = new ArrayList<>(a.keySet());
        for (String k : b.keySet()) {
            if (!a.containsKey(k)) {
                keys.add(k);
            }
        }
        return keys;
    }

    /** Leaf values by snake_case job-file path ("training.early_stopping.patience"); lists as YAML-ish text. */
    static Map<String, String> flatten(JsonNode n) {
        Map<String, String> out = new LinkedHashMap<>();
        flatten("", n, out);
        return out;
    }

    private static void flatten(String prefix, JsonNode n, Map<String, String> out) {
        if (n.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String key = e.getKey();
                flatten(prefix.isEmpty() ? key : prefix + "." + key, e.getValue(), out);
            }
        } else {
            out.put(prefix, n.isNull() ? "null" : n.isTextual() ? n.asText() : n.isFloatingPointNumber()
                ? n.decimalValue().stripTrailingZeros().toPlainString() : n.toString());
        }
    }
}
