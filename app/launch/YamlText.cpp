#include "YamlText.h"

#include <QStringList>

namespace YamlText {

QString quoted(const QString &text)
{
    QString out = QStringLiteral("\"");
    for (const uint c : text.toUcs4()) {
        switch (c) {
        case '\\': out += QStringLiteral("\\\\"); continue;
        case '"': out += QStringLiteral("\\\""); continue;
        case '\n': out += QStringLiteral("\\n"); continue;
        case '\r': out += QStringLiteral("\\r"); continue;
        case '\t': out += QStringLiteral("\\t"); continue;
        default: break;
        }
        // C0, DEL, C1, and the line and paragraph separators YAML would read as line breaks.
        if (c < 0x20 || (c >= 0x7f && c < 0xa0))
            out += QStringLiteral("\\x%1").arg(c, 2, 16, QLatin1Char('0'));
        else if (c == 0x2028 || c == 0x2029 || c == 0xfeff)
            out += QStringLiteral("\\u%1").arg(c, 4, 16, QLatin1Char('0'));
        else {
            const char32_t ch = c;
            out += QString::fromUcs4(&ch, 1);
        }
    }
    return out + QLatin1Char('"');
}

QString flowList(const QStringList &items)
{
    QStringList literals;
    for (const QString &item : items)
        literals << quoted(item);
    return QLatin1Char('[') + literals.join(QStringLiteral(", ")) + QLatin1Char(']');
}

} // namespace YamlText
