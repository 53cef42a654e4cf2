#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

// One check of `gpudeck doctor --json`'s report by its id ("engine", "gpu-request", "cdi", …);
// empty when the report has none.
inline QJsonObject checkById(const QJsonObject &report, const QString &id)
{
    const QJsonArray checks = report.value(QStringLiteral("checks")).toArray();
    for (const QJsonValue &check : checks) {
        if (check.toObject().value(QStringLiteral("id")).toString() == id)
            return check.toObject();
    }
    return {};
}
