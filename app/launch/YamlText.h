#pragma once

#include <QString>

// Scalars for the YAML the exports write. Every string is double-quoted, so that no value can
// turn into a number, a boolean, null, a comment or a second key ("no", "1e3", "#x", "a: b").
namespace YamlText {

// A YAML 1.2 double-quoted scalar: backslash, quote and control characters escaped, the
// rest (including non-ASCII) as UTF-8 text.
QString quoted(const QString &text);

// A flow sequence of quoted strings: ["a", "b"].
QString flowList(const QStringList &items);

} // namespace YamlText
