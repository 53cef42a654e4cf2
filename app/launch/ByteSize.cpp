#include "ByteSize.h"

#include <QRegularExpression>

#include <cmath>

namespace ByteSize {

Result<qint64> parse(const QString &text)
{
    // As docker's RAMInBytes: a number, an optional binary unit, an optional "b"/"ib".
    static const QRegularExpression pattern(QStringLiteral("^(\\d+(?:\\.\\d+)?) ?([kmgtp])?i?b?$"),
                                            QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch m = pattern.match(text.trimmed());
    if (!m.hasMatch())
        return Error(Error::Code::Validation, QStringLiteral("size"),
                     QStringLiteral(
                         "The size '%1' is not a number with an optional unit b, k, m or g, "
                         "such as 1g.")
                         .arg(text));
    const double number = m.captured(1).toDouble();
    const QString unit = m.captured(2).toLower();
    double factor = 1;
    for (const QChar u : QStringLiteral("kmgtp")) {
        factor *= 1024;
        if (unit == u)
            break;
    }
    if (unit.isEmpty())
        factor = 1;
    const double bytes = std::floor(number * factor);
    if (bytes > 9.0e18)
        return Error(Error::Code::Validation, QStringLiteral("size"),
                     QStringLiteral("The size '%1' is too large.").arg(text));
    return static_cast<qint64>(bytes);
}

std::optional<qint64> ifSet(const QString &text)
{
    if (text.isEmpty())
        return std::nullopt;
    const Result<qint64> bytes = parse(text);
    return bytes ? std::optional<qint64>(bytes.value()) : std::nullopt;
}

QString text(qint64 bytes)
{
    constexpr qint64 KiB = 1024;
    if (bytes > 0 && bytes % (KiB * KiB * KiB) == 0)
        return QStringLiteral("%1g").arg(bytes / (KiB * KiB * KiB));
    if (bytes > 0 && bytes % (KiB * KiB) == 0)
        return QStringLiteral("%1m").arg(bytes / (KiB * KiB));
    if (bytes > 0 && bytes % KiB == 0)
        return QStringLiteral("%1k").arg(bytes / KiB);
    return QString::number(bytes);
}

} // namespace ByteSize
