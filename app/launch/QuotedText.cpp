#include "QuotedText.h"

namespace QuotedText {

namespace {

QString hex(uint c, int digits, char prefix)
{
    return QLatin1Char('\\') + QLatin1Char(prefix)
           + QStringLiteral("%1").arg(c, digits, 16, QLatin1Char('0'));
}

QString pythonChar(uint c)
{
    if (c >= 0x20 && c < 0x7f)
        return QChar(static_cast<char16_t>(c));
    if (c < 0x100)
        return hex(c, 2, 'x');
    if (c < 0x10000)
        return hex(c, 4, 'u');
    return hex(c, 8, 'U');
}

QString yamlChar(uint c)
{
    // C0, DEL, C1, and the line and paragraph separators YAML would read as line breaks.
    if (c < 0x20 || (c >= 0x7f && c < 0xa0))
        return hex(c, 2, 'x');
    if (c == 0x2028 || c == 0x2029 || c == 0xfeff)
        return hex(c, 4, 'u');
    const char32_t ch = c;
    return QString::fromUcs4(&ch, 1);
}

} // namespace

QString quoted(const QString &text, Dialect dialect)
{
    QString out = QStringLiteral("\"");
    const QList<uint> codePoints = text.toUcs4();
    for (const uint c : codePoints) {
        switch (c) {
        case '\\': out += QStringLiteral("\\\\"); continue;
        case '"': out += QStringLiteral("\\\""); continue;
        case '\n': out += QStringLiteral("\\n"); continue;
        case '\r': out += QStringLiteral("\\r"); continue;
        case '\t': out += QStringLiteral("\\t"); continue;
        default: break;
        }
        out += dialect == Dialect::Python ? pythonChar(c) : yamlChar(c);
    }
    return out + QLatin1Char('"');
}

QString list(const QStringList &items, Dialect dialect)
{
    QStringList literals;
    for (const QString &item : items)
        literals << quoted(item, dialect);
    return QLatin1Char('[') + literals.join(QStringLiteral(", ")) + QLatin1Char(']');
}

} // namespace QuotedText
