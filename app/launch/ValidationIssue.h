#pragma once

#include "common/Error.h"

#include <QList>
#include <QString>

// One problem with a launch, tied to the field (named as in the preset file) the UI highlights.
struct ValidationIssue
{
    QString field;
    QString message; // one sentence: what is wrong and what is expected

    bool operator==(const ValidationIssue &other) const
    {
        return field == other.field && message == other.message;
    }
};

// All issues as one Error for the headless commands ("what: first; second.").
Error validationError(const QString &what, const QList<ValidationIssue> &issues);
