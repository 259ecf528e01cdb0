import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Route, Routes } from 'react-router';
import { Layout } from './components/Layout.tsx';
import { ChaosRunDetail } from './pages/ChaosRunDetail.tsx';
import { ChaosRuns } from './pages/ChaosRuns.tsx';
import { CheckDetail } from './pages/CheckDetail.tsx';
import { Checks } from './pages/Checks.tsx';
import { IncidentDetail } from './pages/IncidentDetail.tsx';
import { Incidents } from './pages/Incidents.tsx';
import { LoadRunDetail } from './pages/LoadRunDetail.tsx';
import { LoadRuns } from './pages/LoadRuns.tsx';
import { NotFound } from './pages/NotFound.tsx';
import { OnCall } from './pages/OnCall.tsx';
import { Overview } from './pages/Overview.tsx';
import { SloDetail } from './pages/SloDetail.tsx';
import './styles.css';

const client = new QueryClient({ defaultOptions: { queries: { staleTime: 2_000 } } });

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={client}>
      <BrowserRouter>
        <Layout>
          <Routes>
            <Route path="/" element={<Overview />} />
            <Route path="/slos/:name" element={<SloDetail />} />
            <Route path="/load" element={<LoadRuns />} />
            <Route path="/load/:id" element={<LoadRunDetail />} />
            <Route path="/chaos" element={<ChaosRuns />} />
            <Route path="/chaos/:id" element={<ChaosRunDetail />} />
            <Route path="/checks" element={<Checks />} />
            <Route path="/checks/:name" element={<CheckDetail />} />
            <Route path="/incidents" element={<Incidents />} />
            <Route path="/incidents/:id" element={<IncidentDetail />} />
            <Route path="/oncall" element={<OnCall />} />
            <Route path="*" element={<NotFound />} />
          </Routes>
        </Layout>
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
