#pragma once

#include "DoctorCheck.h"

#include <QCoreApplication>
#include <QJsonObject>
#include <QList>

// The checklist as `gpudeck doctor` prints it: text for people, JSON for scripts (a contract:
// {ok, endpoint, checks: [{id, title, status, detail, fix, command}]}).
class ChecklistReport
{
    Q_DECLARE_TR_FUNCTIONS(Doctor)

public:
    static bool passed(const QList<DoctorCheck> &checkList); // no check failed
    static QJsonObject toJson(const QList<DoctorCheck> &checkList, const QString &endpoint);
    static QString toText(const QList<DoctorCheck> &checkList);
};
