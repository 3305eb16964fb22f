package dev.vecnn.bench;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.Strictness;
import com.google.gson.ToNumberPolicy;

/** Reads the JSON the benchmarks write (JMH results, the PyTorch script's results) as maps, lists, strings and doubles. */
public final class Json {
    private Json() {
    }

    // lenient: JMH writes NaN for errors it cannot estimate; numbers as doubles
    private static final Gson GSON = new GsonBuilder().setObjectToNumberStrategy(ToNumberPolicy.DOUBLE).setStrictness(Strictness.LENIENT)
            .create();

    /** The value of a JSON text: {@code Map<String, Object>}, {@code List<Object>}, String, Double, Boolean or null. */
    public static Object parse(String text) {
        return GSON.fromJson(text, Object.class);
    }
}
