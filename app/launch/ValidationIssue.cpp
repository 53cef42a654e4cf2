#include "ValidationIssue.h"

#include <QStringList>

Error validationError(const QString &what, const QList<ValidationIssue> &issues)
{
    QStringList messages;
    for (const ValidationIssue &issue : issues) {
        QString m = issue.message.trimmed();
        if (m.endsWith(QLatin1Char('.')))
            m.chop(1);
        messages << m;
    }
    return Error(Error::Code::Validation, what, messages.join(QStringLiteral("; ")));
}
