#include "Ulimit.h"

#include <QJsonObject>
#include <QMap>

#include <utility>

Result<Ulimit> Ulimit::parse(const QString &text)
{
    // The names the docker CLI accepts (go-units' ulimitNameMapping).
    static const QStringList names = {QStringLiteral("core"),     QStringLiteral("cpu"),
                                      QStringLiteral("data"),     QStringLiteral("fsize"),
                                      QStringLiteral("locks"),    QStringLiteral("memlock"),
                                      QStringLiteral("msgqueue"), QStringLiteral("nice"),
                                      QStringLiteral("nofile"),   QStringLiteral("nproc"),
                                      QStringLiteral("rss"),      QStringLiteral("rtprio"),
                                      QStringLiteral("rttime"),   QStringLiteral("sigpending"),
                                      QStringLiteral("stack")};
    const QString what = QStringLiteral("ulimit \"%1\"").arg(text);
    const qsizetype eq = text.indexOf(QLatin1Char('='));
    if (eq <= 0)
        return Error(Error::Code::Validation, what, QStringLiteral("expected NAME=SOFT[:HARD]"));
    Ulimit limit;
    limit.name = text.left(eq).trimmed();
    if (!names.contains(limit.name)) {
        return Error(Error::Code::Validation, what,
                     QStringLiteral("unknown limit %1 (known: %2)")
                         .arg(limit.name, names.join(QStringLiteral(", "))));
    }
    const QStringList values = text.mid(eq + 1).split(QLatin1Char(':'));
    if (values.size() > 2)
        return Error(Error::Code::Validation, what, QStringLiteral("too many limit values"));
    bool softOk = false;
    bool hardOk = true;
    limit.soft = values.first().trimmed().toLongLong(&softOk);
    limit.hard = values.size() == 2 ? values.last().trimmed().toLongLong(&hardOk) : limit.soft;
    if (!softOk || !hardOk)
        return Error(Error::Code::Validation, what, QStringLiteral("limits are whole numbers"));
    if (limit.soft != -1 && limit.hard != -1 && limit.soft > limit.hard) {
        return Error(Error::Code::Validation, what,
                     QStringLiteral("the soft limit is above the hard limit"));
    }
    return limit;
}

QJsonArray Ulimit::hostConfig(const QStringList &values)
{
    // By name, the last of a name winning, as the docker CLI sends them.
    QMap<QString, Ulimit> byName;
    for (const QString &value : values) {
        if (const Result<Ulimit> limit = parse(value))
            byName.insert(limit.value().name, limit.value());
    }
    QJsonArray out;
    for (const Ulimit &limit : std::as_const(byName)) {
        out.append(QJsonObject{{QStringLiteral("Name"), limit.name},
                               {QStringLiteral("Soft"), limit.soft},
                               {QStringLiteral("Hard"), limit.hard}});
    }
    return out;
}
