#pragma once

#include <QString>
#include <QStringList>

// Double-quoted string literals for the exports, the one escaper for both languages they write:
// backslash, quote, \n, \r and \t escaped alike; the other characters as each language needs.
namespace QuotedText {

enum class Dialect {
    // A Python str literal that is plain ASCII: \xNN, \uNNNN or \UNNNNNNNN for the rest.
    Python,
    // A YAML 1.2 double-quoted scalar: control characters (C0, DEL, C1) and the characters YAML
    // reads as line breaks or a byte order mark escaped, the rest as UTF-8 text.
    Yaml,
};

QString quoted(const QString &text, Dialect dialect);
// A list of quoted strings: ["a", "b"] (a Python list, a YAML flow sequence).
QString list(const QStringList &items, Dialect dialect);

} // namespace QuotedText
