#include "YamlText.h"

#include "QuotedText.h"

namespace YamlText {

QString quoted(const QString &text)
{
    return QuotedText::quoted(text, QuotedText::Dialect::Yaml);
}

QString flowList(const QStringList &items)
{
    return QuotedText::list(items, QuotedText::Dialect::Yaml);
}

} // namespace YamlText
