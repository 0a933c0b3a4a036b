import { BarChart, type BarSeriesOption, FunnelChart, type FunnelSeriesOption, LineChart, type LineSeriesOption } from 'echarts/charts';
import {
  GridComponent,
  type GridComponentOption,
  LegendComponent,
  type LegendComponentOption,
  TooltipComponent,
  type TooltipComponentOption,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { ChartCanvas } from '../../../components/chart-canvas.tsx';

// The deal screens' charts: bars by stage and by unit, the funnel, the forecast trend. Registered here,
// in the lazy chunk of these pages, so the shell's chart chunk stays as small as it is.
echarts.use([BarChart, FunnelChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export type DealChartOption = echarts.ComposeOption<
  BarSeriesOption | FunnelSeriesOption | LineSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption
>;

/** The deal screens' charts; the option is typed by the series registered above. */
export function DealChart(props: { option: DealChartOption; height?: number; testId?: string }) {
  return <ChartCanvas {...props} />;
}
