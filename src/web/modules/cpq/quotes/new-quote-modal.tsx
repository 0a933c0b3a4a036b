import { useMutation } from '@tanstack/react-query';
import { Form, Modal, Select, type ButtonProps } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { QuoteDetail } from '../../../../server/modules/quotes/contract.ts';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { ApiProblem, type FieldError } from '../../../http/api-problem.ts';
import { applyProblemToForm } from '../../../http/form-errors.ts';
import { newIdempotencyKey } from '../../../http/idempotency-key.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { quotesApi } from './quotes-api.ts';
import { usePriceBooks, useQuoteChanged } from './quotes-queries.ts';

/** A new quote (v1, no lines yet) for a deal: the price book sets the currency; lines are added in the editor. */
export function NewQuoteModal({ opportunityId, onClose, onCreated }: { opportunityId: string; onClose: () => void; onCreated: (quote: QuoteDetail) => void }) {
  const { t } = useTranslation(['cpq-quotes', 'common']);
  const locale = useLocale();
  const [form] = Form.useForm<{ priceBookId: string }>();
  const books = usePriceBooks();
  const quoteChanged = useQuoteChanged();
  // Mounted per opening: one Idempotency-Key per new quote.
  const [key] = useState(newIdempotencyKey);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [unmatched, setUnmatched] = useState<FieldError[]>([]);
  const active = (books.data?.items ?? []).filter((b) => b.isActive);
  const preferred = active.find((b) => b.currency === 'CNY')?.id ?? active[0]?.id;
  useEffect(() => {
    if (preferred && !form.getFieldValue('priceBookId')) form.setFieldValue('priceBookId', preferred);
  }, [preferred, form]);

  const create = useMutation({
    mutationFn: ({ priceBookId }: { priceBookId: string }) => {
      const book = active.find((b) => b.id === priceBookId)!;
      return quotesApi.create({ opportunityId, priceBookId, currency: book.currency, lines: [] }, key);
    },
    onSuccess: (quote) => {
      quoteChanged(quote);
      onCreated(quote);
    },
    onError: (err) => {
      if (!(err instanceof ApiProblem)) return;
      setProblem(err);
      setUnmatched(applyProblemToForm(form, err, ['priceBookId']));
    },
  });

  return (
    <Modal
      open
      title={t('newQuote.title')}
      okText={t('newQuote.create')}
      cancelText={t('common:actions.cancel')}
      okButtonProps={{ loading: create.isPending, 'data-testid': 'new-quote-submit' } as ButtonProps}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <ProblemAlert problem={problem} unmatched={unmatched} />
      <Form form={form} layout="vertical" onFinish={(v) => create.mutate(v)} data-testid="new-quote-form">
        <Form.Item name="priceBookId" label={t('fields.priceBook')} rules={[{ required: true, message: t('editor.required') }]} extra={t('newQuote.hint')}>
          <Select
            loading={books.isPending}
            options={active.map((b) => ({ value: b.id, label: `${locale === 'en' && b.nameEn ? b.nameEn : b.nameZh} (${b.currency})` }))}
            data-testid="new-quote-price-book"
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
