#include "ChecklistReport.h"

#include <QJsonArray>

bool ChecklistReport::passed(const QList<DoctorCheck> &checkList)
{
    return std::none_of(checkList.cbegin(), checkList.cend(), [](const DoctorCheck &check) {
        return check.status == DoctorCheck::Status::Fail;
    });
}

QJsonObject ChecklistReport::toJson(const QList<DoctorCheck> &checkList, const QString &endpoint)
{
    QJsonArray checks;
    for (const DoctorCheck &check : checkList) {
        checks.append(QJsonObject{{QStringLiteral("id"), check.id},
                                  {QStringLiteral("title"), check.title},
                                  {QStringLiteral("status"), DoctorCheck::statusName(check.status)},
                                  {QStringLiteral("detail"), check.detail},
                                  {QStringLiteral("fix"), check.fix},
                                  {QStringLiteral("command"), check.command}});
    }
    return QJsonObject{{QStringLiteral("ok"), passed(checkList)},
                       {QStringLiteral("endpoint"), endpoint},
                       {QStringLiteral("checks"), checks}};
}

QString ChecklistReport::toText(const QList<DoctorCheck> &checkList)
{
    QString text;
    for (const DoctorCheck &check : checkList) {
        QString mark;
        switch (check.status) {
        case DoctorCheck::Status::Pass: mark = QStringLiteral("[ ok ]"); break;
        case DoctorCheck::Status::Fail: mark = QStringLiteral("[FAIL]"); break;
        case DoctorCheck::Status::Warn: mark = QStringLiteral("[warn]"); break;
        case DoctorCheck::Status::Skip: mark = QStringLiteral("[skip]"); break;
        case DoctorCheck::Status::Pending: mark = QStringLiteral("[ .. ]"); break;
        }
        text += QStringLiteral("%1 %2\n       %3\n").arg(mark, check.title, check.detail);
        if ((check.status == DoctorCheck::Status::Fail || check.status == DoctorCheck::Status::Warn)
            && !check.fix.isEmpty())
            text += QStringLiteral("       fix: %1\n").arg(check.fix);
        if ((check.status == DoctorCheck::Status::Fail || check.status == DoctorCheck::Status::Warn)
            && !check.command.isEmpty())
            text += QStringLiteral("       run: %1\n").arg(check.command);
    }
    text += passed(checkList)
                ? tr("GPU Deck is ready: containers can get this host's GPUs.\n")
                : tr("Not ready: fix the failing lines above, then run 'gpudeck doctor' again.\n");
    return text;
}
