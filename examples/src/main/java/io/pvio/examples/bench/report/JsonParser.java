package io.pvio.examples.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader for JMH's result file: objects become {@code Map<String, Object>} (insertion ordered), arrays
 * {@code List<Object>}, numbers {@code Double}, plus {@code String}, {@code Boolean} and {@code null}. Strict enough
 * to reject malformed input with the offset of the problem; not a general-purpose parser (no streaming, whole
 * document in memory, which JMH result files are small enough for).
 */
public final class JsonParser
{
    private static final int MAX_DEPTH = 64;

    private final String text;
    private int position;

    private JsonParser(final String text)
    {
        this.text = text;
    }

    /**
     * @throws IllegalArgumentException if {@code text} is not one well-formed JSON value.
     */
    public static Object parse(final String text)
    {
        final JsonParser parser = new JsonParser(text);
        final Object value = parser.readValue(0);
        parser.skipWhitespace();
        if (parser.position != text.length())
        {
            throw parser.error("trailing characters");
        }
        return value;
    }

    private Object readValue(final int depth)
    {
        if (depth > MAX_DEPTH)
        {
            throw error("nesting deeper than " + MAX_DEPTH);
        }
        skipWhitespace();
        if (position >= text.length())
        {
            throw error("unexpected end of input");
        }
        final char c = text.charAt(position);
        switch (c)
        {
            case '{':
                return readObject(depth);
            case '[':
                return readArray(depth);
            case '"':
                return readString();
            case 't':
                expectWord("true");
                return Boolean.TRUE;
            case 'f':
                expectWord("false");
                return Boolean.FALSE;
            case 'n':
                expectWord("null");
                return null;
            default:
                if (c == '-' || (c >= '0' && c <= '9'))
                {
                    return readNumber();
                }
                throw error("unexpected character '" + c + "'");
        }
    }

    private Map<String, Object> readObject(final int depth)
    {
        final Map<String, Object> object = new LinkedHashMap<>();
        position++;
        skipWhitespace();
        if (peek() == '}')
        {
            position++;
            return object;
        }
        while (true)
        {
            skipWhitespace();
            if (peek() != '"')
            {
                throw error("expected a member name");
            }
            final String name = readString();
            skipWhitespace();
            expect(':');
            object.put(name, readValue(depth + 1));
            skipWhitespace();
            final char next = next();
            if (next == '}')
            {
                return object;
            }
            if (next != ',')
            {
                throw error("expected ',' or '}'");
            }
        }
    }

    private List<Object> readArray(final int depth)
    {
        final List<Object> array = new ArrayList<>();
        position++;
        skipWhitespace();
        if (peek() == ']')
        {
            position++;
            return array;
        }
        while (true)
        {
            array.add(readValue(depth + 1));
            skipWhitespace();
            final char next = next();
            if (next == ']')
            {
                return array;
            }
            if (next != ',')
            {
                throw error("expected ',' or ']'");
            }
        }
    }

    private String readString()
    {
        expect('"');
        final StringBuilder builder = new StringBuilder();
        while (true)
        {
            final char c = next();
            if (c == '"')
            {
                return builder.toString();
            }
            if (c == '\\')
            {
                readEscape(builder);
            }
            else if (c < 0x20)
            {
                throw error("control character in string");
            }
            else
            {
                builder.append(c);
            }
        }
    }

    private void readEscape(final StringBuilder builder)
    {
        final char c = next();
        switch (c)
        {
            case '"':
            case '\\':
            case '/':
                builder.append(c);
                break;
            case 'b':
                builder.append('\b');
                break;
            case 'f':
                builder.append('\f');
                break;
            case 'n':
                builder.append('\n');
                break;
            case 'r':
                builder.append('\r');
                break;
            case 't':
                builder.append('\t');
                break;
            case 'u':
                if (position + 4 > text.length())
                {
                    throw error("truncated \\u escape");
                }
                try
                {
                    builder.append((char)Integer.parseInt(text.substring(position, position + 4), 16));
                }
                catch (final NumberFormatException ex)
                {
                    throw error("bad \\u escape");
                }
                position += 4;
                break;
            default:
                throw error("bad escape '\\" + c + "'");
        }
    }

    private Double readNumber()
    {
        final int start = position;
        while (position < text.length() && "+-0123456789.eE".indexOf(text.charAt(position)) >= 0)
        {
            position++;
        }
        try
        {
            return Double.valueOf(text.substring(start, position));
        }
        catch (final NumberFormatException ex)
        {
            position = start;
            throw error("bad number");
        }
    }

    private void expectWord(final String word)
    {
        if (!text.startsWith(word, position))
        {
            throw error("expected " + word);
        }
        position += word.length();
    }

    private void expect(final char c)
    {
        if (next() != c)
        {
            position--;
            throw error("expected '" + c + "'");
        }
    }

    private char peek()
    {
        if (position >= text.length())
        {
            throw error("unexpected end of input");
        }
        return text.charAt(position);
    }

    private char next()
    {
        final char c = peek();
        position++;
        return c;
    }

    private void skipWhitespace()
    {
        while (position < text.length() && Character.isWhitespace(text.charAt(position)))
        {
            position++;
        }
    }

    private IllegalArgumentException error(final String problem)
    {
        return new IllegalArgumentException("malformed JSON at offset " + position + ": " + problem);
    }
}
